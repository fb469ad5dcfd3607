"""Delta sync: the change log read by transaction visibility (changes.py) and sync pages
(pages.py), so a partner gets every change exactly as its view of the content moved."""
