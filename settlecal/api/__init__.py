"""The read-only JSON API's core: parameters, cursors, answer types and reads (no HTTP in here).

    parameters.py  the query parameters: their documentation and the reading of a query string
    cursor.py      opaque page cursors; paging.py keyset pages over them
    resources.py   the answers as dataclasses; schema.py their JSON Schemas; encode.py their JSON
    calendars.py   /calendars and /key-dates
    history.py     /releases, /releases/{id} and /changes
    links.py       the absolute URLs answers give
    errors.py      what a request can get wrong, as typed errors

The HTTP side (routes, ETags, CORS, the OpenAPI document) is caldav_plugin/web/api.
"""
