"""The read-only JSON API at `/.web/api/v1/` (the core of it is settlecal/api).

    routes.py     the route table: paths, parameters, answer types, handlers
    dispatch.py   every request under /.web/api, answered by the WSGI entry: route, parameters,
                  ETag/304, JSON; OPTIONS (CORS preflight); 405 for other methods
    answers.py    headers (ETag, Cache-Control, CORS) and problem details: errors become statuses here
    openapi.py    the OpenAPI 3.1 document, built from the route table and the answer types
    reference.py  docs/api.md's endpoint reference, rendered from that document
    endpoints.py  the handlers; table.py the types they share with the routes
"""
