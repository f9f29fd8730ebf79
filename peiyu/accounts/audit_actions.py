"""Audited actions of accounts (账户与权限): constant ``app.object.verb`` names with Chinese labels.

Discovered by :mod:`peiyu.accounts.audit`; record with ``audit.record(acting_user, ACTION, obj, …)``.
"""

from peiyu.accounts.audit import Action

LOGIN = Action("accounts.session.login", "登录", legacy=("login",))
LOGOUT = Action("accounts.session.logout", "退出登录", legacy=("logout",))
LOGIN_FAILED = Action("accounts.session.login_failed", "登录失败", legacy=("login_failed",))
USER_LOCK = Action("accounts.user.lock", "账户锁定", legacy=("login_locked",))
PASSWORD_CHANGE = Action("accounts.password.change", "修改密码", legacy=("password_change",))
PASSWORD_RESET = Action("accounts.password.reset", "重置密码", legacy=("password_reset",))
USER_CREATE = Action("accounts.user.create", "新建用户", legacy=("user_create",))
USER_UPDATE = Action("accounts.user.update", "修改用户及范围", legacy=("user_update",))
USER_DEACTIVATE = Action("accounts.user.deactivate", "停用用户", legacy=("user_deactivate",))
USER_ACTIVATE = Action("accounts.user.activate", "启用用户", legacy=("user_activate",))
USER_UNLOCK = Action("accounts.user.unlock", "解除锁定", legacy=("user_unlock",))
ADMIN_RESET = Action("accounts.user.reset_admin", "重置管理员", legacy=("user_reset",))
TOKEN_CREATE = Action("accounts.token.create", "生成 API 令牌", legacy=("token_create",))
TOKEN_REVOKE = Action("accounts.token.revoke", "撤销 API 令牌", legacy=("token_revoke",))
USERS_IMPORT = Action("accounts.users.import", "批量导入用户", legacy=("users_import",))
LIAISON_ASSIGN = Action("accounts.liaison.assign", "指定企业联络员", legacy=("enterprise_liaison",))
AUDIT_EXPORT = Action("accounts.audit.export", "导出审计日志", legacy=("audit_export",))
ACCESS_DENIED = Action("accounts.access.denied", "越权访问被拒绝")
TOKEN_REFUSED = Action("accounts.token.refused", "API 令牌被拒绝")
