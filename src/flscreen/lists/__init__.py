"""Screening lists: one reader per published format, versioned storage, diffs, fetching.

- ``store``: tables and the read contract (``iter_entries``, ``latest_versions``).
- ``service``: ``import_list`` (streaming, one transaction) and after-import hooks.
- ``versions``: ``diff_versions`` between any two versions.
- ``fetch``: ``lists update`` from configured official URLs.
- ``detect``: format guessing and refusals that name what a file looks like.
- readers: ``ftm``, ``uflpa_html``, ``ofac_csv``, ``uk_csv``, ``eu_xml``, ``csv_user``.
"""
