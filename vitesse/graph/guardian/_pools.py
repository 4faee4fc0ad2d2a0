"""Hold the small, hand-written pools realistic synthetic values are drawn from.

The names, places and companies are common words or made up; every domain is under `example.com`,
`example.org` or `example.net` (reserved for documentation), so no generated value points at a
real person's mailbox or site.
"""

from __future__ import annotations

FIRST_NAMES = (
    "Maria", "James", "Aisha", "Wei", "Olivia", "Mateo", "Priya", "Lucas", "Fatima", "Noah", "Emma", "Kenji",
    "Sofia", "Liam", "Amara", "Diego", "Chloe", "Arjun", "Hannah", "Omar", "Grace", "Ivan", "Leila", "Samuel",
)  # fmt: skip
LAST_NAMES = (
    "Lopez", "Smith", "Okafor", "Chen", "Johnson", "Garcia", "Patel", "Nguyen", "Kowalski", "Brown", "Rossi",
    "Tanaka", "Muller", "Silva", "Andersen", "Cohen", "Dubois", "Ivanova", "Kim", "Haddad", "Murphy", "Santos",
)  # fmt: skip
UNICODE_FIRST_NAMES = ("María", "Zoë", "Søren", "Łukasz", "Anaïs", "José", "Ólafur", "Chloé", "Jürgen", "小龍", "Ngọc")
UNICODE_LAST_NAMES = ("López", "Müller", "Nguyễn", "Ødegård", "Kovačević", "O'Brien-Smith", "Çelik", "李", "Dvořák")
COMPANY_WORDS = (
    "Northwind", "Lopez Design", "Blue Harbor", "Summit", "Acorn", "Granite", "Redwood", "Brightline", "Pioneer",
    "Silver Oak", "Meridian", "Cobalt", "Evergreen", "Orchard", "Lumen", "Harbor Point",
)  # fmt: skip
COMPANY_SUFFIXES = ("Studio", "Outfitters", "Labs", "Trading Co.", "Supply", "Logistics", "Partners", "Goods")
STREETS = (
    "Market Street", "Harbor Way", "Oak Avenue", "Mission Street", "King Street", "Elm Road", "Maple Drive",
    "Station Road", "Lake Shore Drive", "Queen Street West", "High Street", "Rue de Rivoli",
)  # fmt: skip
UNICODE_STREETS = ("Königstraße", "Calle de Alcalá", "Rue Saint-Honoré", "Øster Allé", "Ulica Świętokrzyska")
CITIES = (
    ("San Francisco", "CA", "US", "941"), ("Boston", "MA", "US", "021"), ("Austin", "TX", "US", "787"),
    ("Seattle", "WA", "US", "981"), ("Toronto", "ON", "CA", "M5V"), ("London", "LND", "GB", "EC1"),
    ("Berlin", "BE", "DE", "101"), ("Paris", "IDF", "FR", "750"), ("Madrid", "MD", "ES", "280"),
    ("Sydney", "NSW", "AU", "200"),
)  # fmt: skip
UNICODE_CITIES = ("München", "São Paulo", "Zürich", "Kraków", "Malmö", "Reykjavík", "Besançon")
PROVINCE_NAMES = {"CA": "California", "MA": "Massachusetts", "TX": "Texas", "WA": "Washington", "ON": "Ontario"}
COUNTRY_CODES = ("US", "CA", "GB", "DE", "FR", "ES", "AU", "NL", "SE", "JP")
CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "JPY", "CHF", "SEK")
JOB_TITLES = ("Head of Purchasing", "Account Manager", "Software Engineer", "Operations Lead", "Founder", "Buyer")
WORDS = (
    "alpha", "amber", "bright", "cedar", "delta", "ember", "fable", "harbor", "indigo", "juniper", "lumen", "maple",
    "nova", "orbit", "pine", "quartz", "river", "sierra", "tango", "umber", "violet", "willow", "zenith",
)  # fmt: skip
TAGS = ("wholesale", "newsletter", "vip", "returning", "trade-show-2024", "priority", "beta", "partner")
UNICODE_TEXT = ("Ünïcödé ✓", "naïve café", "東京 office", "Ελληνικά", "emoji 🚀 ok", "Ærøskøbing", "façade")
LOCALES = ("en-US", "en-GB", "fr-FR", "de-DE", "es-ES", "ja-JP")
TIMEZONES = ("America/New_York", "Europe/London", "Europe/Berlin", "Asia/Tokyo", "America/Los_Angeles", "UTC")
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
PHONE_SHAPES = (
    "+1 (415) 555-{d4}", "415.555.{d4}", "+1 212 555 {d4}", "+44 20 7946 {d4}", "(617) 555-{d4}", "+14155550{d3}",
)  # fmt: skip
