"""Compile a MappingLogic into a fast, deterministic function from source records to destination payloads.

`compile_mapping` checks every config and parses every path once; `CompiledMapping.apply` and
`apply_batch` then only run closures, never raise for a record, and collect per-field errors
(`FieldError`: destination field, source fields, why, a masked excerpt of the value ≤ 40 chars).
A record is one element of the source list (what `source_records_at` points at); a payload is one
request body. Wrapping payloads for bulk endpoints (`dest_array_wrapper`) is the caller's job.

Paths
    Dot-separated names, `[]` after an array's name: `address.city`, `emails[].value`, `labels[]`.
    Names may hold any character but `.`, `[` and `]`; there are no numeric indexes.

Reading a source path
    R1. A path without `[]` gives the value there; anything absent on the way (a missing key, a
        non-object in the middle) gives no value. Null and absent are the same: no value.
    R2. A path through `[]` reaches every element; a lone object or value where an array was
        expected counts as a one-element array.
    R3. For a destination that does not iterate (rule E1), a `[]` source gives its first non-null
        value, except where the transform collects (`collect`, `custom` with `lists: true`): then it
        gives the list of all non-null values, flattened across nested `[]`.

Missing values
    M1. A transform runs when at least one of its sources has a value (`constant` and `expression`
        always run). A transform may also produce no value (a `split` part that does not exist).
    M2. No value: the config's `default` is written when given; else null when `keep_null: true`;
        else a `required` transformation records a FieldError; else the field is left out (never
        written as null). `default` values are copied, so payloads never share objects.
    M3. Blank strings are values, except for the `default` transform (blank, [], {} → default).

Writing a destination path
    W1. Objects on the way are created: `address.city` ← x writes `{"address": {"city": x}}`.
    W2. A leaf array (`labels[]`) gets a list as it is and a single value wrapped: `["x"]`.
    W3. A single value written through an array (`email[].value` ← x) writes `{"email": [{"value": x}]}`;
        when the array already exists it goes into every element that is an object. So several
        transformations into `email[].*` build one element, and `items[].currency` ← `currency`
        reaches every element an element-wise transformation made (those run first).
    W4. Two transformations may not write the same destination, one inside the other (`address` and
        `address.city`), or disagree on whether a name is an array: compile_mapping refuses them.

Element-wise mapping
    E1. When the destination has `[]` and a source has `[]`, the transformation maps element by
        element: destination element i comes from source element i (`items[].sku` ← `line_items[].sku`,
        `Line[]` ← `line_items[]`). Sources without `[]` are the same for every element; sources with
        `[]` must iterate over the same array. Only the first `[]` level pairs up; deeper `[]` inside
        an element follow R3 and W2–W3. Collecting transforms (`collect`, `custom` with `lists: true`)
        do not map element-wise unless `each: true`; `each: false` turns it off for any transform.
    E2. Elements without a value (M2 per element) are left out of a leaf array. In an array of
        objects they stay empty while the record is mapped, so transformations writing into the same
        array stay aligned by index; elements still empty at the end are dropped. A missing source
        array writes nothing; an empty one writes an empty array.
    E3. A failing element fails the whole field for that record (one FieldError with a count).

Transform types and their config keys are documented in `_simple` (direct, mapping, enum, parse,
stringify, parse_bool, split, default, constant, flatten), `_compound` (collect, nest, custom, format,
expression) and `_template` (format templates). Every type also takes `default`, `keep_null` and `each`.
Custom functions live in a registry (`CUSTOM_FUNCTIONS`, `register_transform`, `get_transform`);
expressions are JMESPath. Nothing evaluates Python from a mapping.
"""

from vitesse.transforms import _fitting  # noqa: F401  (registers fit_text and fit_number)
from vitesse.transforms._builtins import COUNTRY_CODES
from vitesse.transforms._engine import (
    CompiledMapping,
    apply_transformation,
    compile_mapping,
    compile_transformation,
)
from vitesse.transforms._phone import to_e164
from vitesse.transforms._registry import CUSTOM_FUNCTIONS, get_transform, register_transform
from vitesse.transforms._results import BatchResult, FieldError, RecordResult
from vitesse.transforms._values import stringify

__all__ = [
    "COUNTRY_CODES",
    "CUSTOM_FUNCTIONS",
    "BatchResult",
    "CompiledMapping",
    "FieldError",
    "RecordResult",
    "apply_transformation",
    "compile_mapping",
    "compile_transformation",
    "get_transform",
    "register_transform",
    "stringify",
    "to_e164",
]
