/* Upload progress for the tax import form (htmx posts the file; CSP forbids inline scripts). */
(function () {
  "use strict";
  function box(form) { return document.getElementById(form.getAttribute("data-progress")); }
  document.addEventListener("htmx:xhr:progress", function (e) {
    var form = e.target.closest ? e.target.closest("form[data-progress]") : null;
    if (!form || !e.detail.lengthComputable) return;
    var b = box(form); if (!b) return;
    var pct = Math.round((e.detail.loaded / e.detail.total) * 100);
    b.hidden = false;
    var bar = b.querySelector(".progress-bar");
    bar.style.width = pct + "%";
    bar.setAttribute("aria-valuenow", pct);
    b.querySelector("[data-progress-text]").textContent =
      pct < 100 ? "正在上传… " + pct + "%" : "上传完成，正在校验、核对并入库…";
  });
  document.addEventListener("htmx:beforeRequest", function (e) {
    var form = e.target.closest ? e.target.closest("form[data-progress]") : null;
    if (!form) return;
    var b = box(form); if (!b) return;
    b.hidden = false;
    b.querySelector(".progress-bar").style.width = "0%";
    b.querySelector("[data-progress-text]").textContent = "正在上传…";
    var btn = form.querySelector("button[type=submit]"); if (btn) btn.disabled = true;
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.target.closest ? e.target.closest("form[data-progress]") : null;
    if (!form) return;
    var b = box(form); if (b) b.hidden = true;
    var btn = form.querySelector("button[type=submit]"); if (btn) btn.disabled = false;
  });
  document.addEventListener("htmx:responseError", function (e) {
    var form = e.target.closest ? e.target.closest("form[data-progress]") : null;
    if (!form || e.detail.xhr.status === 400) return;
    var target = document.getElementById("import-report");
    if (target) target.textContent = "导入失败（服务器错误 " + e.detail.xhr.status + "），请稍后重试或联系管理员。";
  });
})();
