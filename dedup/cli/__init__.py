"""Command line: click commands that parse options into a Config, call the library, and turn its errors into clean messages."""
