from django.db import models


class Render(models.Model):
    """A render the studio knows: its work folder (config.yaml inside) and its place in the queue.
    Its progress and state are read from that folder, never stored here."""

    name = models.SlugField(unique=True, max_length=60)
    workdir = models.CharField(max_length=1000)
    created = models.DateTimeField(auto_now_add=True)
    queued = models.DateTimeField(null=True, blank=True)  # waiting for a GPU slot (None: not queued)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return self.name
