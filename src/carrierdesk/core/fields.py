"""Model fields for personal data encrypted at rest, and their keyed lookup hashes (R-SEC-2).

`EncryptedTextField` holds the clear string in Python and `enc1:<key id>:<…>` in the database
(`carrierdesk.core.crypto`); it cannot be searched, so the only lookups it allows are `isnull`
and `exact` with the empty string. A field that must be found by value gets a
`LookupHashField(source=…)` next to it, kept up to date on every `save()` and `bulk_create`,
and is queried with `lookup_hash(value)`:

    Customer.objects.filter(mobile_hash=lookup_hash(normalise_mobile(text)))

Models holding hash fields derive from `HashedModel`, so that a partial save naming a source
field (`save(update_fields=["mobile"])`) writes its hash too. `QuerySet.update()` and
`bulk_update()` do not run `pre_save`: name the hash field yourself there.
"""

from collections.abc import Iterable
from typing import Any

from django.core import checks
from django.core.exceptions import FieldError
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.lookups import Exact, IsNull
from django.utils.translation import gettext_lazy as _

from carrierdesk.core import crypto
from carrierdesk.core.crypto import lookup_hash

__all__ = ["EncryptedTextField", "HashedModel", "LookupHashField", "lookup_hash"]


class EncryptedLookupError(FieldError):
    """A query compared an encrypted column with a value: it would silently match nothing."""


class _EmptyOnlyExact(Exact):
    """`field=""` (blank values are stored as they are); any other value is refused."""

    def get_prep_lookup(self) -> Any:
        if self.rhs != "":
            field = self.lhs.output_field
            raise EncryptedLookupError(
                f"{field.model._meta.label}.{field.name} is encrypted: it cannot be compared "
                "with a value. Filter on a LookupHashField of it with lookup_hash(value)."
            )
        return super().get_prep_lookup()


class EncryptedTextField(models.TextField):
    """Personal data encrypted with AES-GCM under the current data key (R-SEC-2).

    `max_length` limits the clear text (checked by the actions, `core.changes.check_lengths`);
    the column is unbounded text, as the stored form is longer. The column name
    (`app_label.model.field`) is bound into each value, so values cannot be swapped between
    columns.
    """

    description = _("Encrypted text")

    def get_internal_type(self) -> str:
        # Not "TextField": `core.bulk` writes plain types without the field's preparation,
        # and this one must always go through `get_db_prep_value`.
        return "EncryptedTextField"

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        return str(connection.data_types["TextField"]) % self.db_type_parameters(connection)

    def cast_db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        return self.db_type(connection)

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        if self.unique or getattr(self, "db_index", False) or self.primary_key:
            errors.append(
                checks.Error(
                    "An encrypted field can be neither unique nor indexed: index its "
                    "LookupHashField instead.",
                    obj=self,
                    id="carrierdesk.E301",
                )
            )
        return errors

    @property
    def column_label(self) -> str:
        """`customers.customer.mobile`: the associated data binding values to this column."""
        return f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(
        self, value: str | None, expression: Any, connection: BaseDatabaseWrapper
    ) -> str | None:
        if value is None or value == "":
            return value
        return crypto.keyring().decrypt(value, self.column_label)

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> Any:
        if not prepared:
            value = self.get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.keyring().encrypt(str(value), self.column_label)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return _EmptyOnlyExact
        if lookup_name == "isnull":
            return IsNull
        raise EncryptedLookupError(
            f"{self.model._meta.label}.{self.name} is encrypted: the lookup {lookup_name!r} "
            "cannot work on it. Filter on a LookupHashField of it with lookup_hash(value)."
        )

    def get_transform(self, lookup_name: str) -> Any:
        return None


class LookupHashField(models.CharField):
    """HMAC-SHA256 (hex) of the normalised value of `source`, under the lookup key; "" when the
    source is empty. Computed on every save and bulk_create; not editable."""

    description = _("Keyed hash of another field")

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("editable", False), ("blank", True)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        if kwargs.get("default") == "":
            kwargs.pop("default")
        return name, path, args, kwargs

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        if connection.vendor == "postgresql":
            # The same type as varchar, spelled so that Django adds no second, pattern-ops
            # index for LIKE to an indexed column: a hash is only ever compared whole.
            return f"character varying({self.max_length})"
        return super().db_type(connection)

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        try:
            self.model._meta.get_field(self.source)
        except Exception:
            errors.append(
                checks.Error(
                    f"LookupHashField source {self.source!r} is not a field of the model.",
                    obj=self,
                    id="carrierdesk.E302",
                )
            )
        if not issubclass(self.model, HashedModel) and not self.model._meta.abstract:
            errors.append(
                checks.Error(
                    "A model with a LookupHashField must derive from HashedModel, so that "
                    "partial saves keep the hash up to date.",
                    obj=self,
                    id="carrierdesk.E303",
                )
            )
        return errors

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = lookup_hash(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def hash_fields_for(model: type[models.Model], names: Iterable[str]) -> set[str]:
    """The names of the hash fields whose source is among `names`."""
    wanted = set(names)
    return {
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, LookupHashField) and field.source in wanted
    }


class HashedModel(models.Model):
    """Base of models with lookup hashes: `save(update_fields=[source])` also writes the hash."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = [
                *update_fields,
                *sorted(hash_fields_for(type(self), update_fields) - set(update_fields)),
            ]
        super().save(*args, **kwargs)
