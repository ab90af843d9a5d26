"""What the REST API (:mod:`flscreen.api`) and the analyst pages (:mod:`flscreen.web`)
share over HTTP: the app's state, who may call what (:mod:`.auth`), the one table from
errors to statuses (:mod:`.errors`), uploads and document downloads.

Neither adapter imports the other; both import this. Nothing here is a use case: the
work is done by :mod:`flscreen.services`.
"""
