"""Users, departments, API tokens and the append-only audit log.

Who may see what is decided in one place: :mod:`peiyu.accounts.scope`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    ADMIN = "admin", "管理员"
    LEADER = "leader", "区领导"
    TASKFORCE = "taskforce", "产业专班"
    DEPARTMENT = "department", "产业主管部门"
    AREA = "area", "街道镇"
    SERVICE = "service", "企业服务专员"


class Department(models.Model):
    """A district department (区发改委, 区科委, 区金融办, …) that signs responsibility targets.

    Files name a department in many ways — 区科委, 科委, 普陀区科学技术委员会 — so it carries its
    short name, its full name and other aliases; :mod:`peiyu.accounts.departments` matches them."""

    name = models.CharField("名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=40, blank=True)
    full_name = models.CharField("全称", max_length=100, blank=True)
    aliases = models.JSONField("其他写法", default=list, blank=True)
    order = models.PositiveIntegerField("排序", default=100)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_departments",
        verbose_name="负责人",
    )
    key_industries = models.ManyToManyField(
        "registry.KeyIndustry", blank=True, related_name="departments", verbose_name="主管产业"
    )

    class Meta:
        verbose_name = verbose_name_plural = "部门"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def names(self) -> list[str]:
        """Every way this department is written (name first)."""
        out = [self.name, self.short_name, self.full_name, *(self.aliases or [])]
        return [n for i, n in enumerate(out) if n and n not in out[:i]]


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=60, blank=True)
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.AREA)
    key_industries = models.ManyToManyField(
        "registry.KeyIndustry", blank=True, related_name="users", verbose_name="产业范围"
    )
    areas = models.ManyToManyField("registry.Area", blank=True, related_name="users", verbose_name="区域范围")
    departments = models.ManyToManyField(
        Department, blank=True, related_name="users", verbose_name="所属部门"
    )
    must_change_password = models.BooleanField("首次登录须修改密码", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    # raised whenever the user's access must end everywhere (password reset or change, role or
    # scope change): part of the session hash, so every other session is logged out
    access_epoch = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "用户"
        ordering = ["username"]

    def _get_session_auth_hash(self, secret: Any = None) -> str:
        from django.utils.crypto import salted_hmac

        key_salt = "peiyu.accounts.User.get_session_auth_hash"
        return salted_hmac(
            key_salt, f"{self.password}|{self.access_epoch}", secret=secret, algorithm="sha256"
        ).hexdigest()

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN


class PasswordHistory(models.Model):
    """The hashes of a user's last passwords (no reuse of the last five, 等保 2.0 level 3)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(max_length=128)  # a hash, as User.password
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "历史密码"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d}"


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only the SHA-256 of the secret is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField("前缀", max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField("用途", max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField("到期时间")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "API 令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.label or 'API 令牌'}（{self.prefix}…）"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[override]
        raise PermissionError("审计记录只可追加，不可修改")

    def delete(self):  # type: ignore[override]
        raise PermissionError("审计记录只可追加，不可删除")


class AuditLog(models.Model):
    """Append-only record of every view/export of enterprise-level tax figures and every data change."""

    time = models.DateTimeField("时间", default=timezone.now, db_index=True)
    # PROTECT: a user with audit history cannot be deleted (deactivate instead); SET_NULL would be an
    # UPDATE of audit rows, which the database triggers refuse.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField("用户", max_length=150, blank=True, db_index=True)
    action = models.CharField("操作", max_length=60, db_index=True)
    object_type = models.CharField("对象类型", max_length=60, blank=True)
    object_id = models.CharField("对象标识", max_length=120, blank=True, db_index=True)
    object_repr = models.CharField("对象", max_length=255, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    reason = models.TextField("原因", blank=True)
    ip = models.GenericIPAddressField("来源地址", null=True, blank=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "审计日志"
        ordering = ["-time", "-id"]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计记录只可追加，不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计记录只可追加，不可删除")
