"""Hold the general vocabulary of record fields: abbreviations, concepts and their synonyms, roles.

Every entry is about the domain (people, companies, addresses, orders, tasks), never about one API.
Concept phrases are matched on normalised tokens (see `tokens.normalise`), longest phrase first.
"""

from __future__ import annotations

ABBREVIATIONS: dict[str, str] = {
    "addr": "address", "adr": "address", "bill": "billing", "ship": "shipping", "txn": "transaction",
    "trx": "transaction", "num": "number", "nbr": "number", "desc": "description", "descr": "description",
    "qty": "quantity", "amt": "amount", "org": "organization", "organisation": "organization",
    "tel": "phone", "telephone": "phone", "cell": "mobile", "cellphone": "mobile", "fname": "first name",
    "lname": "last name", "firstname": "first name", "lastname": "last name", "givenname": "given name",
    "familyname": "family name", "surname": "last name", "dob": "birth date", "birthdate": "birth date",
    "dt": "date", "ts": "timestamp", "tz": "timezone", "lang": "language", "ccy": "currency",
    "curr": "currency", "ref": "reference", "info": "information", "msg": "message", "doc": "document",
    "pref": "preferred", "cust": "customer", "ext": "external", "uri": "url", "homepage": "website",
    "postcode": "postal code", "zipcode": "zip", "zip_code": "zip", "emailaddress": "email address",
    "mail": "email", "e": "e", "identifier": "id", "ids": "id", "nr": "number", "comments": "comment",
    "tags": "tag", "labels": "label", "lines": "line", "items": "item", "subdivision": "sub division",
    "username": "user name", "companyname": "company name", "phonenumber": "phone number",
}  # fmt: skip
"""Word → expansion, applied to every word of a name after camel/snake splitting."""

KEEP_PLURAL = frozenset({"status", "address", "terms", "news", "access", "alias", "canvas", "bonus", "gps"})

NOISE_TOKENS = frozenset({"free", "form", "data", "the", "of", "or", "and", "info", "information", "detail"})
"""Words that carry no meaning in a field name (`FreeFormNumber`, Stripe-style `data` list wrappers)."""

GENERIC_LEAVES = frozenset({"value", "number", "url", "text", "address", "name", "code", "amount"})
"""Leaf words that take their meaning from the parent object (`email[].value`, `PrimaryPhone.FreeFormNumber`)."""

QUALIFIERS = frozenset(
    {"primary", "default", "main", "preferred", "current", "is", "has", "at", "on", "transaction", "record", "entity"}
)
"""Words that barely change what a field holds."""

WEAKENERS = frozenset({"alternate", "alternative", "secondary", "other", "additional", "extra", "backup"})

CONCEPTS: dict[str, tuple[str, ...]] = {
    "first_name": ("first name", "given name", "forename", "personal name"),
    "last_name": ("last name", "family name", "second name"),
    "middle_name": ("middle name",),
    "full_name": ("full name", "display name", "contact name", "person name"),
    "email": ("email", "email address", "e email", "email addr"),
    "phone": ("phone", "phone number", "phone no", "msisdn", "phone number id"),
    "mobile": ("mobile", "mobile phone", "mobile number"),
    "fax": ("fax", "fax number"),
    "company": ("company", "company name", "organization", "organization name", "business name", "employer"),
    "postal_code": ("postal code", "zip", "post code", "postal"),
    "city": ("city", "locality", "town"),
    "region": (
        "state", "province", "region", "state or province", "state province region", "province code",
        "state code", "administrative district level 1", "country sub division code", "county",
    ),
    "country": ("country", "country code", "country name", "nation"),
    "line1": ("address line 1", "line 1", "address 1", "street", "street address", "street 1", "address line"),
    "line2": ("address line 2", "line 2", "address 2", "street 2", "suite"),
    "line3": ("address line 3", "line 3", "address 3"),
    "note": ("note", "memo", "comment", "remark", "private note"),
    "description": ("description", "body", "details"),
    "title": ("title", "subject", "headline"),
    "tag": ("tag", "label", "keyword"),
    "website": ("website", "web site", "web address", "web address url", "homepage url"),
    "birthday": ("birthday", "birth date", "date of birth"),
    "created": (
        "created", "created at", "creation date", "date created", "create time", "add time", "created time",
        "created on", "inserted at", "creation time", "date added", "added at",
    ),
    "updated": (
        "updated", "updated at", "modified", "date modified", "last updated time", "update time", "modified at",
    ),
    "transaction_date": ("transaction date", "order date", "invoice date", "processed at", "document date"),
    "due": ("due", "due date", "due at", "due on", "deadline"),
    "currency": ("currency", "currency code", "iso currency code"),
    "quantity": ("quantity",),
    "unit_price": ("unit price", "price"),
    "external_id": (
        "external id", "reference id", "external reference", "external ref", "foreign id", "client id",
        "source id",
    ),
    "marketing_consent": (
        "accepts marketing", "marketing opt in", "opt in", "email opt in", "accepts email marketing",
        "marketing consent",
    ),
    "status": ("status", "lifecycle stage", "stage", "lifecycle status"),
    "tax_id": ("tax id", "vat", "vat number", "vat id", "tax number", "tax registration number", "tin"),
    "job_title": ("job title", "position", "job"),
    "language": ("language", "locale", "preferred language"),
    "timezone": ("timezone", "time zone"),
    "gender": ("gender", "sex"),
    "owner": ("owner", "assignee", "assigned to", "responsible"),
    "avatar": ("avatar", "photo", "picture", "image url", "profile picture"),
    "document_number": ("document number", "order number", "invoice number", "reference number", "doc number"),
    "taxable": ("taxable", "tax exempt", "tax exemption", "is tax exempt"),
    "tax_inclusive": ("tax inclusive", "taxes included", "tax included", ),
    "payment_terms": ("payment term", "sales term", "term", "payment terms name", "payment term name"),
    "shipping_method": ("shipping method", "shipping line", "shipping service", "carrier service"),
    "tax_detail": ("tax detail", "transaction tax detail", "tax line", "total tax", "tax"),
    "line_item": ("line", "line item", "order line", "invoice line"),
    "name": ("name",),
}  # fmt: skip
"""Concept → phrases that name it. A phrase is normalised words joined by spaces."""

RELATED: dict[frozenset[str], float] = {
    frozenset({"name", "full_name"}): 0.9,
    frozenset({"name", "title"}): 0.75,
    frozenset({"name", "company"}): 0.35,
    frozenset({"note", "description"}): 0.8,
    frozenset({"phone", "mobile"}): 0.85,
    frozenset({"created", "transaction_date"}): 0.7,
    frozenset({"title", "description"}): 0.3,
    frozenset({"status", "taxable"}): 0.0,
    frozenset({"tag", "status"}): 0.2,
    frozenset({"external_id", "record_id"}): 0.75,
}
"""How close two different concepts are (symmetric); absent pairs are 0."""

ROLES: dict[str, tuple[str, ...]] = {
    "billing": ("billing", "invoice"),
    "shipping": ("shipping", "delivery", "recipient", "shipment"),
    "origin": ("origin", "from", "return", "warehouse"),
    "main": ("mailing", "default", "home", "main", "postal", "residential"),
}
"""Roles an address or contact block plays; two different roles never match."""

LOOKUP_ENTITIES = frozenset(
    {
        "owner",
        "assignee",
        "user",
        "member",
        "organization",
        "company",
        "account",
        "board",
        "list",
        "label",
        "customer",
        "term",
        "class",
        "department",
        "project",
        "milestone",
        "pipeline",
        "stage",
        "team",
        "group",
        "category",
        "location",
        "vendor",
        "parent",
        "item",
        "product",
        "payment",
        "method",
        "workspace",
        "section",
        "tax",
        "person",
        "contact",
        "deal",
        "lead",
        "ticket",
        "card",
        "attachment",
        "cover",
        "source",
        "template",
        "folder",
        "space",
        "channel",
        "store",
        "segment",
        "campaign",
        "author",
        "reporter",
        "creator",
        "agent",
        "sales",
        "shipping",
        "deposit",
        "ar",
        "type",
        "reason",
        "status",
        "priority",
        "epic",
        "sprint",
        "issue",
    }
)
"""Entities whose ids belong to the destination system: a field holding one needs a lookup there."""

UNIVERSAL_CODES = frozenset({"currency", "country", "language", "timezone", "locale"})
"""Referenced things whose ids are world-wide codes (ISO 4217, 3166 …), not ids of one system."""

SYSTEM_LEAVES = frozenset({"sync token", "version", "etag", "revision", "idempotency key", "row version"})
SYSTEM_PARENTS = frozenset({"meta", "metadata", "meta data", "system", "audit"})
"""Destination fields the destination system manages itself (under `MetaData.*`, `SyncToken` …)."""

NOISE_SOURCE_LEAVES = frozenset({"object", "livemode", "has more", "total count", "url", "resource type", "type"})
"""Source leaves that describe the API's envelope rather than the record (`object: customer`)."""
