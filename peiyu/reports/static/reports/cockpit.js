/* 领导驾驶舱: the tiles refresh themselves through htmx polling (hx-trigger="every …s" on #cockpit);
   this file only adds full screen on a double click (a big screen has no keyboard at hand). */
(function () {
  "use strict";
  document.addEventListener("dblclick", function () {
    var el = document.documentElement;
    if (!document.fullscreenElement && el.requestFullscreen) { el.requestFullscreen(); }
    else if (document.exitFullscreen) { document.exitFullscreen(); }
  });
})();
