"""Word tables of the stress set: stop words, synonyms, adjectives, local-news sentences, boilerplate.

Data only; used by ``stress_transforms.py`` (rewording, the 'extend' paragraph)
and ``stress_gen.py`` (boilerplate blocks).
"""

from __future__ import annotations

STOP = frozenset(["a", "an", "the", "and", "or", "but", "if", "then", "than", "that", "this", "these", "those", "there", "their", "they", "them", "he", "she", "him", "her", "his", "hers", "it", "its", "we", "us", "our", "you", "your", "i", "me", "my", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had", "do", "does", "did", "not", "no", "of", "in", "on", "at", "to", "for", "from", "by", "with", "as", "into", "onto", "over", "under", "about", "after", "before", "up", "down", "out", "off", "so", "such", "very", "can", "could", "would", "should", "will", "shall", "may", "might", "must", "also", "just", "only", "own", "same", "too", "both", "each", "few", "more", "most", "other", "some", "any", "all", "who", "whom", "whose", "which", "what", "when", "where", "why", "how", "again", "further", "once", "here", "while", "during", "until", "against", "between", "through", "above", "below"])  # noqa: E501 - a word list

# word -> alternatives, lowercase occurrences only (proper nouns such as 'High Court' are left alone)
SYNONYMS: dict[str, tuple[str, ...]] = {k: tuple(v.split("|")) for k, v in {
    "said": "stated|declared|remarked", "says": "states|declares", "told": "informed", "asked": "questioned",
    "added": "continued", "explained": "clarified", "claimed": "alleged", "alleged": "claimed",
    "replied": "responded", "responded": "replied", "announced": "revealed", "revealed": "disclosed",
    "disclosed": "revealed", "confirmed": "verified", "refused": "declined", "described": "characterised",
    "heard": "was told", "police": "officers", "officers": "policemen", "officer": "constable",
    "judge": "justice", "jury": "jurors", "trial": "hearing", "hearing": "proceedings", "case": "matter",
    "charged": "indicted", "accused": "charged", "guilty": "culpable", "denies": "rejects", "denied": "rejected",
    "admitted": "confessed", "sentenced": "jailed", "jailed": "imprisoned", "prison": "jail",
    "arrested": "detained", "released": "freed", "freed": "released", "investigation": "inquiry",
    "inquiry": "investigation", "evidence": "testimony", "statement": "declaration", "lawyer": "solicitor",
    "lawyers": "solicitors", "barrister": "advocate", "damages": "compensation", "libel": "defamation",
    "claims": "allegations", "allegations": "claims", "offence": "crime", "crime": "offence",
    "incident": "episode", "theft": "stealing", "stolen": "taken", "robbery": "hold-up", "drugs": "narcotics",
    "gun": "firearm", "knife": "blade", "attack": "assault", "attacked": "assaulted", "killed": "slain",
    "died": "passed away", "murder": "killing", "victim": "casualty", "victims": "casualties",
    "injuries": "wounds", "injured": "hurt", "hospital": "infirmary", "doctor": "physician",
    "doctors": "physicians", "abuse": "mistreatment", "man": "male", "woman": "female", "men": "males",
    "women": "females", "wife": "spouse", "husband": "spouse", "children": "youngsters|kids",
    "child": "youngster", "son": "boy", "daughter": "girl", "family": "relatives", "friends": "pals",
    "friend": "pal", "mother": "mum", "father": "dad", "parents": "mother and father", "brother": "sibling",
    "sister": "sibling", "girl": "lass", "boy": "lad", "partner": "companion", "couple": "pair",
    "wedding": "marriage", "baby": "infant", "home": "house", "house": "property", "car": "vehicle",
    "money": "cash", "building": "premises", "street": "road", "town": "borough", "city": "metropolis",
    "country": "nation", "government": "administration", "company": "firm", "business": "firm",
    "job": "post", "working": "employed", "boss": "chief", "staff": "employees", "newspaper": "paper",
    "newspapers": "papers", "article": "report", "story": "report", "report": "account",
    "reporters": "journalists", "journalist": "reporter", "photographers": "cameramen",
    "interview": "conversation", "star": "celebrity", "stars": "celebrities", "singer": "vocalist",
    "band": "group", "film": "movie", "films": "movies", "show": "programme", "television": "TV",
    "music": "tunes", "fans": "admirers", "album": "record", "concert": "gig", "performance": "show",
    "award": "prize", "awards": "prizes", "actor": "performer", "actress": "performer",
    "director": "filmmaker", "audience": "crowd", "people": "individuals", "began": "started",
    "started": "began", "begin": "start", "decided": "chose", "decision": "ruling", "believed": "thought",
    "believe": "think", "wanted": "wished", "want": "wish", "received": "got", "found": "discovered",
    "went": "headed", "came": "arrived", "help": "assist", "helped": "assisted", "big": "large",
    "large": "big", "small": "little", "important": "significant", "serious": "grave",
    "difficult": "hard", "happy": "pleased", "pleased": "delighted", "delighted": "thrilled",
    "angry": "furious", "upset": "distressed", "shocked": "stunned", "worried": "concerned",
    "afraid": "frightened", "quickly": "rapidly", "later": "subsequently", "also": "additionally",
    "however": "though", "because": "as", "ago": "earlier", "night": "evening", "week": "seven days",
    "many": "numerous", "several": "a number of", "kept": "retained", "keep": "retain", "won": "clinched",
    "win": "clinch", "fight": "battle", "battle": "fight", "row": "dispute", "dispute": "row",
    "problem": "difficulty", "problems": "difficulties", "questions": "queries", "answer": "reply",
    "campaign": "crusade", "support": "backing", "supporters": "backers", "critics": "detractors",
    "clear": "evident", "certain": "sure", "possible": "feasible", "likely": "probable",
    "recently": "lately", "finally": "eventually", "immediately": "at once", "suddenly": "abruptly",
    "young": "youthful", "bought": "purchased", "buy": "purchase", "paid": "handed", "letter": "note",
    "phone": "telephone", "meeting": "gathering", "inside": "within", "wrote": "penned",
    "written": "composed", "cost": "price", "month": "four weeks", "months": "several weeks",
    "death": "demise", "life": "existence", "attempt": "bid", "tried": "attempted", "try": "attempt",
    "wrong": "mistaken", "true": "accurate", "false": "untrue", "need": "require", "needed": "required",
    "enough": "sufficient", "group": "gang", "members": "associates",
    "school": "college", "world": "globe", "nearly": "almost", "almost": "nearly", "around": "roughly",
    "today": "yesterday", "court": "courtroom", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "time": "moment", "new": "fresh", "year": "twelve months", "made": "created",
    "first": "initial", "last": "previous", "now": "currently", "never": "at no time", "every": "each",
    "way": "manner", "sentence": "term", "former": "one-time", "going": "heading", "get": "obtain",
    "charges": "counts", "put": "placed", "make": "create", "part": "portion", "thought": "believed",
    "still": "even now", "give": "provide", "say": "state", "inquest": "coroner's hearing",
    "without": "lacking", "got": "received", "long": "lengthy", "number": "quantity", "see": "witness",
    "think": "believe", "body": "remains", "including": "among them", "given": "handed", "legal": "judicial",
    "felt": "sensed", "end": "close", "find": "discover", "happened": "occurred", "series": "sequence",
    "verdict": "finding", "road": "street", "knew": "realised", "area": "district", "next": "following",
    "near": "close to", "feel": "sense", "operation": "procedure", "main": "principal", "assault": "attack",
    "trying": "attempting", "convicted": "found guilty", "gave": "handed", "plans": "proposals",
    "following": "after", "full": "complete", "treatment": "therapy", "programme": "series", "good": "fine",
    "ordered": "directed", "judgment": "ruling", "boys": "lads", "charge": "count", "defendant": "accused",
    "saw": "witnessed", "involved": "implicated", "showed": "revealed", "committed": "carried out",
    "earlier": "previously", "really": "truly", "dead": "deceased", "suffered": "endured", "pub": "bar",
    "quite": "fairly", "local": "area", "failed": "neglected", "whether": "if", "adjourned": "postponed",
    "spokeswoman": "representative", "spokesman": "representative", "flat": "apartment", "moved": "relocated",
    "lived": "resided", "kill": "slay", "caused": "led to", "making": "creating", "hit": "struck",
    "video": "tape", "arrest": "detention", "cannot": "can't", "costs": "expenses", "manager": "supervisor",
    "seen": "spotted", "forced": "compelled", "walked": "strolled", "discovered": "found",
    "drunk": "intoxicated", "result": "outcome", "assaults": "attacks", "broadcast": "aired",
    "wearing": "dressed in", "married": "wed", "assaulting": "attacking", "counts": "charges",
    "looked": "appeared", "accident": "mishap", "surgery": "operation", "probably": "most likely",
    "eventually": "finally", "comment": "remark", "previous": "earlier", "ruled": "decided",
    "arrived": "turned up", "homes": "houses", "sent": "dispatched", "tell": "inform", "person": "individual",
    "although": "though", "returned": "went back", "solicitor": "lawyer", "killing": "murder",
    "ruling": "decision", "despite": "in spite of", "concerned": "worried", "families": "households",
    "remember": "recall", "spoke": "talked", "firm": "company", "latest": "most recent", "evening": "night",
    "teenager": "youth", "boyfriend": "partner", "situation": "circumstances", "another": "a further",
    "driving": "motoring", "indecent": "lewd", "indecently": "lewdly", "someone": "somebody",
    "assaulted": "attacked", "saying": "stating", "pleaded": "entered a plea of", "didn't": "did not",
    "it's": "it is", "don't": "do not", "suffering": "enduring", "always": "constantly", "already": "previously",
    "team": "squad", "offences": "crimes", "history": "past", "violence": "brutality",
    "detectives": "investigators", "claiming": "alleging", "agreed": "consented", "alcohol": "drink",
    "continue": "carry on", "expected": "anticipated", "attempting": "trying", "defendants": "accused",
    "viewers": "audiences", "guests": "visitors", "leave": "depart", "leaving": "departing", "huge": "enormous",
    "towards": "toward", "pictures": "photographs", "proceedings": "hearing", "chance": "opportunity",
    "sad": "unhappy", "stopped": "halted", "stop": "halt", "dangerous": "hazardous", "risk": "danger",
    "colleagues": "co-workers", "claim": "allegation", "similar": "comparable", "real": "genuine",
    "incidents": "episodes", "different": "distinct", "little": "small", "hard": "tough", "attempted": "tried",
    "ran": "dashed", "start": "begin", "launched": "opened", "prevent": "stop", "soon": "shortly",
    "regularly": "often", "know": "realise", "taken": "removed",
}.items()}

ADJECTIVES = frozenset(["former", "young", "senior", "local", "famous", "top", "leading", "popular", "successful", "wealthy", "elderly", "serious", "major", "huge", "tiny", "well-known", "alleged", "brutal", "violent", "vicious", "terrible", "horrific", "shocking", "bitter", "lengthy", "new", "veteran", "controversial", "notorious", "respected", "prominent", "disgraced", "multi-millionaire", "millionaire", "private", "special", "dramatic"])  # noqa: E501 - a word list

LOCAL_NAMES = ("Margaret Holt", "David Pryce", "Susan Fielding", "Kevin O'Rourke", "Janet Mills", "Gareth Lloyd",
               "Pauline Ashworth", "Tony Beckwith", "Helen Marsh", "Derek Quinn", "Sandra Whitley", "Colin Tanner",
               "Brenda Oakes", "Raj Chauhan", "Eileen Doyle", "Martin Greaves", "Fiona Strachan", "Neil Parkes")
TOWNS = ("Kettering", "Barnsley", "Stroud", "Wrexham", "Grantham", "Hexham", "Bideford", "Ormskirk", "Kendal",
         "Louth", "Tiverton", "Morpeth", "Selby", "Newbury", "Ludlow", "Falkirk", "Skipton", "Whitby")
STREETS = ("Mill Lane", "Station Road", "Church Street", "Victoria Avenue", "Park Crescent", "Bridge Street",
           "Elm Grove", "Market Place", "Castle Hill", "Queens Road")
ORGS = ("the parish council", "the residents' association", "the Rotary Club", "the chamber of trade",
        "the neighbourhood watch group", "the local primary school", "the town's civic society",
        "the district council", "the community centre committee", "the historical society")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# 48 local-news sentences: an 'extended' copy gets 1-3 of them as a paragraph of its own.
LOCAL_SENTENCES = (
    "{name}, who has lived in {town} for {n} years, said the news had come as a surprise to many residents.",
    "A spokesman for {org} said members would discuss the matter at their meeting on {day}.",
    "Residents of {street} in {town} have been invited to a public meeting at the library next {day}.",
    "{name}, {age}, who runs a newsagent's on {street}, said customers had talked of little else all week.",
    "The story has been followed closely in {town}, where {org} has asked for a statement.",
    "Councillor {name} said she would raise the issue with the county's MP at the next surgery.",
    "Pupils at the local primary school in {town} are to hold a fundraising day on {day}.",
    "{org} said it had received {n} letters from readers on the subject since the weekend.",
    "A collection in {town} market has so far raised \u00a3{amount} for the appeal.",
    "Traffic on {street} was held up for about {n} minutes on {day} while a crowd gathered.",
    "{name}, chairman of {org}, said: \"People here want to know what happens next.\"",
    "Shops in the centre of {town} reported a busy {day} as visitors arrived from across the county.",
    "The town's mayor, {name}, is expected to make a statement at the council chamber on {day}.",
    "Staff at the {town} branch of the building society put up a notice for customers on {day}.",
    "Local historian {name} said the last comparable event in {town} was more than {n} years ago.",
    "Bus services through {town} are running to a Sunday timetable while the works on {street} continue.",
    "{name}, {age}, a retired postman from {town}, said he had followed every development on the radio.",
    "A vigil is planned outside the parish church on {street} at 7pm on {day}.",
    "The county library in {town} has set aside a display of newspaper cuttings for visitors.",
    "{org} has opened a book of messages at its office on {street}.",
    "A minute's silence will be held before {day}'s home match at the {town} ground.",
    "Volunteers from {org} handed out leaflets to shoppers on {street} on {day} morning.",
    "The local radio station in {town} said its phone-in had taken {n} calls in an hour.",
    "Landlord {name} of the Red Lion on {street} said regulars had discussed nothing else.",
    "The head teacher of {town} High School, {name}, said assembly on {day} would mark the occasion.",
    "A petition with {amount} signatures is to be handed in at the district council offices on {day}.",
    "{name} said the {town} branch of {org} would write to the Home Secretary.",
    "Parking restrictions on {street} will be relaxed for {n} days, the highways department said.",
    "About {n} people attended a meeting in the {town} community centre on {day} evening.",
    "The {town} Advertiser said readers had sent in {n} photographs over the weekend.",
    "{name}, {age}, from {town}, said: \"We never thought we would see something like this here.\"",
    "A charity fun run from {street} to the town park has been brought forward to {day}.",
    "The town council in {town} agreed to fly its flag at half mast on {day}.",
    "Church bells in {town} will ring at noon on {day}, the vicar, the Rev {name}, said.",
    "{org} estimated that {n} coaches would bring visitors to {town} over the coming week.",
    "A fund set up by {name} in {town} has passed \u00a3{amount}, its organisers said.",
    "Officers from the {town} neighbourhood team will hold a drop-in surgery at the library on {day}.",
    "The {town} Chamber of Trade said hotel bookings in the area had risen by {pct} per cent.",
    "{name}, who chairs {org}, said a decision on the summer carnival would be taken on {day}.",
    "Children from the {town} youth club have painted a banner for the front of the village hall.",
    "A former resident of {street}, {name}, {age}, travelled back to {town} to attend on {day}.",
    "Flowers have been left at the war memorial in {town} market square.",
    "{org} said its helpline would stay open until {n}pm for the rest of the week.",
    "The {town} branch of the British Legion will hold a coffee morning on {day} to raise funds.",
    "{name}, a {age}-year-old taxi driver from {town}, said fares to the court had doubled.",
    "Planning officers in {town} said the application for the site on {street} would be heard on {day}.",
    "The editor of the {town} Gazette, {name}, said the paper would print a souvenir edition.",
    "Members of {org} in {town} planted {n} trees on {street} in memory of the occasion.",
)

# Shared boilerplate, put on many unrelated files (header or footer): it must not make them copies.
BOILERPLATE: dict[str, tuple[str, str]] = {
    "copyright": ("footer", ("Copyright 2000 Press Association. All rights reserved. This material may not be "
                            "published, broadcast, rewritten or redistributed without the written permission of "
                            "the copyright holder.")),
    "subscribe": ("header", ("Subscribe today for unlimited access to our award-winning journalism. Existing "
                            "subscribers can sign in to read every story on any device. You can cancel your "
                            "subscription at any time.")),
    "related": ("footer", ("Related stories: Council unveils plans for a new ring road around the town centre. "
                          "Hospital trust names its new chief executive after a long search. Rail passengers "
                          "face a weekend of engineering works on the main line.")),
    "newsletter": ("footer", ("Get the day's top stories delivered to your inbox every morning. Sign up for our "
                             "free newsletter and never miss a headline again. We will never share your email "
                             "address with third parties.")),
    "coverage": ("header", ("This report is part of our continuing coverage of the courts and the entertainment "
                           "industry. Our correspondents follow every hearing, premiere and verdict as it happens, "
                           "and you can find all of their reports on our website.")),
    "cookies": ("footer", ("We use cookies to give you the best possible experience on our website. By continuing "
                          "to browse the site you are agreeing to our use of cookies. Find out more in our privacy "
                          "and cookie policy.")),
}
