/* wijkgeo map layer type "kansen": the koppelkansen units with their rules (wijkgeo/maps/layers/kansen.py).
 * MIT, part of wijkgeo. Strings from data arrive HTML-escaped (wijkgeo/maps/escape.py).
 */
(function () {
  "use strict";
  var wijkgeo = window.wijkgeo, ov = wijkgeo.ov;
  var POPUP = ov.POPUP, pane = ov.pane, shape = ov.shape, list = ov.list, head = ov.head, centreOf = ov.centreOf, checkButton = ov.checkButton, plain = ov.plain;

  /* ---------------------------------------------------------------- koppelkansen */
  wijkgeo.layerTypes.kansen = function (ctx, spec) {
    var T = ctx.T, group = L.featureGroup(), p = pane(ctx, "kans");
    function item(it) {
      var rob = it.rob ? ' <span class="wijkgeo-rob wijkgeo-rob-' + it.rob + '">' + it.rob + "</span>" : "";
      var assets = "";
      if (it.init.length) assets += "<div><b>" + it.init.length + " " + T.assets_init + "</b>: " + it.init.join("; ") + "</div>";
      if (it.voorz.length) assets += "<div><b>" + it.voorz.length + " " + T.assets_voorz + "</b>: " + it.voorz.join("; ") + "</div>";
      if (it.proj.length) assets += "<div><b>" + it.proj.length + " " + T.assets_proj + "</b>: " + it.proj.join("; ") + "</div>";
      return '<div class="wijkgeo-kans"><div class="wijkgeo-kans-title">' + it.title + rob + "</div>" +
        '<div class="wijkgeo-code">' + it.met + " " + T.kans_met + "</div>" +
        '<div class="wijkgeo-kans-why">' + it.why + "</div>" +
        (it.partners ? "<div><b>" + T.kans_partners + "</b>: " + it.partners + "</div>" : "") +
        (assets ? '<div class="wijkgeo-kans-assets"><div class="wijkgeo-code">' + T.kans_assets + "</div>" + assets + "</div>" : "") +
        "</div>";
    }
    function popupHtml(u) {
      var kans = u.items.filter(function (it) { return it.status === "kans"; });
      var near = u.items.filter(function (it) { return it.status !== "kans"; });
      var html = head(u.name, u.level + " " + u.code);
      html += kans.map(item).join("");
      if (near.length) html += '<div class="wijkgeo-near"><div class="wijkgeo-ind">' + T.kans_near + "</div>" + near.map(item).join("") + "</div>";
      if (u.level === "buurt" && u.b.length === 1) html += checkButton(ctx, u.b[0]);
      return '<div class="wijkgeo-popup wijkgeo-kanspopup">' + html + "</div>";
    }
    spec.units.forEach(function (u, j) {
      var color = spec.colors[u.style], near = u.style === "bijna", bounds = null, parts = [];
      var o = {pane: p.pane, renderer: p.renderer, color: color, interactive: false};
      if (u.g) {
        var s = shape(ctx, u.g, 1e-5);
        parts.push(L.polygon(s.polys, L.extend({className: "wijkgeo-kansvlak", weight: near ? 1.5 : 2.5,
          dashArray: near ? "4 4" : null, fillColor: color, fillOpacity: near ? 0.05 : 0.2}, o)));
      } else if (u.arcs) {
        u.b.forEach(function (i) {
          parts.push(L.polygon(ctx.features[i].getLatLngs(), L.extend({className: "wijkgeo-kansvlak", stroke: false,
            fillColor: color, fillOpacity: near ? 0.05 : 0.12}, o)));
        });
        parts.push(L.polyline(u.arcs.map(function (a) { return ctx.arcs[a]; }), L.extend({className: "wijkgeo-kansrand",
          weight: 4, dashArray: near ? "4 4" : null, fill: false}, o)));
      } else {
        u.b.forEach(function (i) {
          parts.push(L.polygon(ctx.features[i].getLatLngs(), L.extend({className: "wijkgeo-kansvlak",
            weight: near ? 1.5 : 3, dashArray: near ? "4 4" : (u.style === "krap" ? "7 4" : null),
            fillColor: color, fillOpacity: near ? 0.05 : 0.15}, o)));
        });
      }
      parts.forEach(function (x) {
        group.addLayer(x);
        bounds = bounds ? bounds.extend(x.getBounds()) : L.latLngBounds(x.getBounds().getSouthWest(), x.getBounds().getNorthEast());
      });
      if (!bounds) return;
      var n = u.items.filter(function (it) { return it.status === "kans"; }).length;
      var centre = u.b.length === 1 && !u.g ? centreOf(ctx.features[u.b[0]]) : bounds.getCenter();
      var badge = L.marker(centre, {icon: L.divIcon({className: "wijkgeo-kansbadge wijkgeo-kansbadge-" + u.style + " wijkgeo-kansbadge-" + u.level,
        iconSize: [26, 26], html: '<span data-wijkgeo-unit="' + u.code + '" style="background:' + color + '">' + (n || "~") + "</span>"}), zIndexOffset: u.level === "wijk" ? 200 : 0});
      badge.bindTooltip(head(u.name, n + " " + ctx.T.check_kansen.toLowerCase() + (u.items.length > n ? " · " + (u.items.length - n) + " " + T.bijna : "")),
                        {className: "wijkgeo-tooltip"});
      badge.bindPopup(popupHtml(u), L.extend({maxWidth: 360}, POPUP));
      badge._wkUnit = j;
      group.addLayer(badge);
    });
    /* zoomed out, the badges of buurten and cells would hide the map: only the wijk badges
       stay, and the buurt popup names the koppelkansen of the buurt instead */
    function zoomClass() {
      var c = ctx.map.getContainer();
      if (ctx.map.getZoom() < 14) L.DomUtil.addClass(c, "wijkgeo-zoomed-out");
      else L.DomUtil.removeClass(c, "wijkgeo-zoomed-out");
    }
    ctx.map.on("zoomend", zoomClass);
    ctx.hooks.ready.push(zoomClass);
    ctx.hooks.popup.push(function (i) {
      if (!ctx.state.layers.koppelkansen) return "";
      var titles = [];
      (spec.in_buurt[i] || []).forEach(function (j) {
        spec.units[j].items.forEach(function (it) {
          if (it.status === "kans") titles.push(it.title + ' <span class="wijkgeo-rob wijkgeo-rob-' + it.rob + '">' + it.rob + "</span>");
        });
      });
      return titles.length ? '<div class="wijkgeo-ind">' + T.check_kansen + "</div>" + list(titles, T) : "";
    });
    return {layer: group, legend: spec.legend, popupHtml: function (j) { return popupHtml(spec.units[j]); },
      facts: function (i) {
        var rows = [];
        (spec.in_buurt[i] || []).forEach(function (j) {
          var u = spec.units[j];
          u.items.forEach(function (it) {
            rows.push(it.title + ' <span class="wijkgeo-code">' + (it.status === "kans" ? it.rob : T.bijna) +
              (u.level === "buurt" ? "" : " · " + (plain(u.name).indexOf(plain(u.level)) === 0 ? "" : u.level + " ") + u.name) + "</span>");
          });
        });
        return list(rows, T);
      }};
  };
})();
