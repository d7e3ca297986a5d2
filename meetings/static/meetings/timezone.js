// Remember the browser's time zone in the "tz" cookie, so meeting times are shown and
// entered in it by default (the server falls back to UTC without it).
(function () {
  "use strict";
  if (document.cookie.split("; ").some(function (c) { return c.indexOf("tz=") === 0; })) { return; }
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (zone && /^[A-Za-z0-9_+\-\/]+$/.test(zone)) {
    document.cookie = "tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax";
  }
})();
