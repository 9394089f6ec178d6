"""Where the work runs: worker process pools and the heap settings of the processes."""
