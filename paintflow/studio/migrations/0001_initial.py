from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Render",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.SlugField(max_length=60, unique=True)),
                ("workdir", models.CharField(max_length=1000)),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("queued", models.DateTimeField(blank=True, null=True)),
            ],
            options={"ordering": ["-created"]},
        ),
    ]
