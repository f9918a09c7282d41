from django.db import migrations

from territories.reference import ARS_LIST, DEPARTEMENTS


def load(apps, schema_editor):
    ARS = apps.get_model("territories", "ARS")
    Departement = apps.get_model("territories", "Departement")
    Delegation = apps.get_model("territories", "DelegationDepartementale")
    by_region = {}
    for code, region in ARS_LIST:
        ars, _ = ARS.objects.update_or_create(
            region_code=code, defaults={"region_name": region, "name": f"ARS {region}"}
        )
        by_region[code] = ars
    for code, name, region, finess_code in DEPARTEMENTS:
        departement, _ = Departement.objects.update_or_create(
            code=code,
            defaults={"name": name, "ars": by_region[region], "finess_code": finess_code},
        )
        Delegation.objects.update_or_create(
            departement=departement,
            defaults={
                "ars": by_region[region],
                "name": f"Délégation départementale {name}",
            },
        )


class Migration(migrations.Migration):
    dependencies = [("territories", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
