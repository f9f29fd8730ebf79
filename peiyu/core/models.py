from django.db import models


class Generation(models.Model):
    """A named counter bumped whenever some derived data must be rebuilt (e.g. ``tax_dimension``:
    the tax library's enterprise snapshot and rollups). Reading it is one primary-key lookup, so a
    cache can check its freshness on every request."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "缓存代数"

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
