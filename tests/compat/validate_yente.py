"""Validate answers with yente's own response models (run in a subprocess).

Reads ``[{"model": NAME, "data": ...}, ...]`` as JSON on stdin and prints one
line per answer: ``ok`` or the validation errors. Runs in .yente-venv (made by
scripts/setup.sh), apart from flscreen's environment, because yente pins other
versions of its libraries.
"""

import json
import sys
from typing import Any

from pydantic import TypeAdapter, ValidationError
from yente.data import common, freebase

MODELS: dict[str, Any] = {
    "EntityMatchResponse": common.EntityMatchResponse,
    "SearchResponse": common.SearchResponse,
    "EntityResponse": common.EntityResponse,
    "DataCatalogModel": common.DataCatalogModel,
    "AlgorithmResponse": common.AlgorithmResponse,
    "FreebaseManifest": freebase.FreebaseManifest,
    "ReconcileResults": dict[str, freebase.FreebaseEntityResult],
    "FreebaseEntitySuggestResponse": freebase.FreebaseEntitySuggestResponse,
    "FreebaseTypeSuggestResponse": freebase.FreebaseTypeSuggestResponse,
    "FreebasePropertySuggestResponse": freebase.FreebasePropertySuggestResponse,
    "FreebaseExtendPropertiesResponse": freebase.FreebaseExtendPropertiesResponse,
    "FreebaseExtendResponse": freebase.FreebaseExtendResponse,
}

for item in json.load(sys.stdin):
    try:
        TypeAdapter(MODELS[item["model"]]).validate_python(item["data"])
        print("ok")
    except ValidationError as exc:
        print(json.dumps([f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()][:5]))
