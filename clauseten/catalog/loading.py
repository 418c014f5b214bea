"""Load the requirement catalogue shipped in catalog/data/catalogue.json into the database.

Used by the data migration (with historical models) so that a fresh database has the catalogue, and by
`load_catalogue` after the file changes. Idempotent: it updates titles and adds what is missing; it never
removes a requirement, because NCs may point at it.
"""

import json
from pathlib import Path

CATALOGUE_FILE = Path(__file__).resolve().parent / "data" / "catalogue.json"


def read_catalogue(path: Path = CATALOGUE_FILE) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def load_catalogue(Standard, Requirement, RequirementMapping, catalogue: dict | None = None) -> dict[str, int]:
    """Takes the model classes so the migration can pass its historical ones."""
    catalogue = catalogue or read_catalogue()
    found: dict[tuple[str, str], object] = {}
    for standard_data in catalogue["standards"]:
        standard, _ = Standard.objects.update_or_create(
            code=standard_data["code"], defaults={"name": standard_data["name"], "title": standard_data["title"]})
        for position, row in enumerate(standard_data["requirements"], start=1):
            requirement, _ = Requirement.objects.update_or_create(
                standard=standard, identifier=row["identifier"],
                defaults={"title": row["title"], "kind": row["kind"], "group": row.get("group", ""),
                          "position": position})
            found[(standard.code, row["identifier"])] = requirement
    mappings = 0
    for mapping in catalogue["mappings"]:
        source, target = found[tuple(mapping["from"])], found[tuple(mapping["to"])]
        RequirementMapping.objects.get_or_create(source=source, target=target)
        mappings += 1
    return {"standards": len(catalogue["standards"]), "requirements": len(found), "mappings": mappings}
