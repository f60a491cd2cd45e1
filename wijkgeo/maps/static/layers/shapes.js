/* wijkgeo map layer type "shapes": lines and areas by category with a year filter (wijkgeo/maps/layers/shapes.py).
 * MIT, part of wijkgeo. Strings from data arrive HTML-escaped (wijkgeo/maps/escape.py).
 */
(function () {
  "use strict";
  var wijkgeo = window.wijkgeo, ov = wijkgeo.ov;
  var POPUP = ov.POPUP, pane = ov.pane, shape = ov.shape, list = ov.list, nearMark = ov.nearMark, head = ov.head;

  /* ---------------------------------------------------------------- projecten */
  wijkgeo.layerTypes.shapes = function (ctx, spec) {
    var T = ctx.T, group = L.featureGroup(), p = pane(ctx, "shapes"), drawn = [];
    var range = spec.years ? [spec.years[0], spec.years[1]] : null;
    var filter = range ? [range[0], range[1]] : null;
    function years(it) { return it.from === null ? "?" : it.from === it.to ? "" + it.from : it.from + "–" + it.to; }
    function text(it) {
      return head(it.name, spec.cats[it.cat].label + " · " + years(it)) + "<table>" +
        (it.owner ? "<tr><th>" + T.project_owner + "</th><td>" + it.owner + "</td></tr>" : "") +
        (it.status ? "<tr><th>" + T.project_status + "</th><td>" + it.status + "</td></tr>" : "") +
        "</table>" + (it.note ? '<div class="wijkgeo-caveat">' + it.note + "</div>" : "");
    }
    spec.items.forEach(function (it, j) {
      var g = shape(ctx, it.g, spec.q), color = spec.cats[it.cat].color, parts = [];
      var o = {pane: p.pane, renderer: p.renderer, className: "wijkgeo-project", color: color};
      if (g.lines.length) parts.push(L.polyline(g.lines, L.extend({weight: 5, opacity: 0.9}, o)));
      if (g.polys.length) parts.push(L.polygon(g.polys, L.extend({weight: 2, fillOpacity: 0.3, fillColor: color}, o)));
      parts.forEach(function (part) {
        part.bindTooltip(text(it), {sticky: true, className: "wijkgeo-tooltip"});
        part.bindPopup('<div class="wijkgeo-popup">' + text(it) + "</div>", POPUP);
      });
      drawn.push(parts);
    });
    function visible(it) {
      if (!filter || it.from === null) return true;
      return it.from <= filter[1] && it.to >= filter[0];
    }
    function apply() {
      spec.items.forEach(function (it, j) {
        drawn[j].forEach(function (part) {
          var on = visible(it);
          if (on && !group.hasLayer(part)) group.addLayer(part);
          if (!on && group.hasLayer(part)) group.removeLayer(part);
        });
      });
      var out = document.querySelector("[data-wijkgeo-years-out]");
      if (out) out.textContent = filter[0] + " – " + filter[1];
      var a = document.querySelector('[data-wijkgeo-years="from"]'), b = document.querySelector('[data-wijkgeo-years="to"]');
      if (a) a.value = filter[0];
      if (b) b.value = filter[1];
    }
    function setYears(a, b) {
      if (!filter) return;
      a = Math.max(range[0], Math.min(range[1], a | 0)); b = Math.max(range[0], Math.min(range[1], b | 0));
      if (a > b) { var t = a; a = b; b = t; }
      filter = [a, b];
      apply();
    }
    if (filter) {
      ctx.hooks.hash.push({
        write: function () {
          return filter[0] === range[0] && filter[1] === range[1] ? null : "jaren=" + filter[0] + "-" + filter[1];
        },
        read: function (h) {
          var m = /^(\d{4})-(\d{4})$/.exec(h.jaren || "");
          if (m) setYears(+m[1], +m[2]); else setYears(range[0], range[1]);
        }
      });
    }
    function slider(which, value) {
      return '<label class="wijkgeo-year">' + (which === "from" ? T.years_from : T.years_to) +
        ' <input type="range" data-wijkgeo-years="' + which + '" min="' + range[0] + '" max="' + range[1] +
        '" step="1" value="' + value + '"></label>';
    }
    apply();
    return {
      layer: group,
      legend: function () {
        if (!filter) return spec.legend;
        return spec.legend + '<div class="wijkgeo-years"><div>' + T.years_label + ': <b data-wijkgeo-years-out>' +
          filter[0] + " – " + filter[1] + "</b></div>" + slider("from", filter[0]) + slider("to", filter[1]) + "</div>";
      },
      bindLegend: function (el) {
        if (!el || !filter) return;
        var a = el.querySelector('[data-wijkgeo-years="from"]'), b = el.querySelector('[data-wijkgeo-years="to"]');
        function changed() { setYears(+a.value, +b.value); a.value = filter[0]; b.value = filter[1]; ctx.writeHash(); }
        a.addEventListener("input", changed); b.addEventListener("input", changed);
      },
      setYears: function (a, b) { setYears(a, b); ctx.writeHash(); },
      count: function () { var n = 0; spec.items.forEach(function (it) { if (visible(it)) n++; }); return n; },
      facts: function (i) {
        return list((spec.in_buurt[i] || []).map(function (j) {
          var it = spec.items[j];
          return it.name + ' <span class="wijkgeo-code">' + spec.cats[it.cat].label + " · " + years(it) + (it.owner ? " · " + it.owner : "") + nearMark(spec, i, j) + "</span>";
        }), T);
      }
    };
  };
})();
