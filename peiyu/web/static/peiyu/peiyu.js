/* Peiyu front-end glue. No inline scripts (CSP script-src 'self'): charts read their ECharts option
   from a <script type="application/json"> block named by data-chart on the container. */
(function () {
  "use strict";
  function csrfToken() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  document.addEventListener("htmx:configRequest", function (e) {
    e.detail.headers["X-CSRFToken"] = csrfToken();
  });
  function fmtWan(v) {
    return (v / 1000000).toLocaleString("zh-CN", { maximumFractionDigits: 2 });
  }
  function fenTooltip(option) {
    option.tooltip = Object.assign({ valueFormatter: function (v) { return v == null ? "—" : fmtWan(v) + " 万元"; } }, option.tooltip || {});
  }
  // Extra option flags (tax pages): _fenTooltip (pie: values in fen), _fenXAxis (horizontal bars),
  // _waterfall (floating bars whose data items carry the signed amount in `real`).
  function prepareOption(option) {
    if (option._fenTooltip) { delete option._fenTooltip; fenTooltip(option); }
    if (option._fenXAxis) {
      delete option._fenXAxis;
      option.xAxis = Object.assign({}, option.xAxis || {}, { axisLabel: { formatter: fmtWan } });
      fenTooltip(option);
    }
    if (option._waterfall) {
      delete option._waterfall;
      var real = function (p) { return p.data && p.data.real != null ? p.data.real : p.value; };
      option.tooltip = Object.assign({}, option.tooltip || {}, {
        formatter: function (p) { var v = real(p); return p.name + "<br>" + (p.data && p.data.signed && v > 0 ? "+" : "") + fmtWan(v) + " 万元"; }
      });
      (option.series || []).forEach(function (s) {
        if (s.label && s.label.show) { s.label.formatter = function (p) { return fmtWan(real(p)); }; }
      });
    }
    return option;
  }
  function initCharts(root) {
    if (!window.echarts) return;
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      var src = document.getElementById(el.getAttribute("data-chart"));
      if (!src) return;
      var option = prepareOption(JSON.parse(src.textContent));
      if (option._fenAxis) {  // values in fen, shown in 万元
        delete option._fenAxis;
        option.yAxis = Object.assign({ axisLabel: { formatter: fmtWan } }, option.yAxis || {});
        option.tooltip = Object.assign({ valueFormatter: function (v) { return v == null ? "—" : fmtWan(v) + " 万元"; } }, option.tooltip || {});
      }
      var chart = echarts.getInstanceByDom(el) || echarts.init(el);
      chart.setOption(option, true);
      if (el.dataset.clickUrl) {
        chart.off("click");
        chart.on("click", function (p) {
          var key = (p.data && p.data.key) || p.name;
          window.location.href = el.dataset.clickUrl.replace("__KEY__", encodeURIComponent(key));
        });
      }
      el.setAttribute("data-chart-ready", "1");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    initCharts(document);
    document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
      el.addEventListener("change", function () { el.form.submit(); });
    });
    document.querySelectorAll("[data-nav-toggle]").forEach(function (btn) {  // the phone menu button
      btn.addEventListener("click", function () {
        var menu = document.getElementById(btn.getAttribute("data-nav-toggle"));
        if (!menu) return;
        var open = menu.classList.toggle("show");
        btn.setAttribute("aria-expanded", open ? "true" : "false");
      });
    });
    document.querySelectorAll("[data-confirm]").forEach(function (el) {
      el.addEventListener("click", function (e) { if (!window.confirm(el.dataset.confirm)) e.preventDefault(); });
    });
  });
  document.addEventListener("htmx:afterSwap", function (e) { initCharts(e.target); });
  window.addEventListener("resize", function () {
    document.querySelectorAll("[data-chart-ready]").forEach(function (el) {
      var c = echarts.getInstanceByDom(el); if (c) c.resize();
    });
  });
  window.peiyu = { initCharts: initCharts };
})();
