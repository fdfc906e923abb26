"""The words of the page, the feeds, the PDF and the e-mails, in each language (docs/translations.md).

    languages.py   the six languages, `lang=` parsing and Accept-Language negotiation
    catalogues.py  the gettext catalogues (locale/<locale>/LC_MESSAGES/settlecal.po), compiled on first use
    translator.py  Translator: gettext for our words, Babel/CLDR for dates, numbers and country names
    countries.py   a typed country name in any of the languages → its ISO code
"""
