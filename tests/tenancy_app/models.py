from django.db import models

from organizations.tenancy import TenantModel


class Folder(TenantModel):
    name = models.CharField(max_length=50)


class Document(TenantModel):
    folder = models.ForeignKey(Folder, on_delete=models.CASCADE)
    title = models.CharField(max_length=50)
