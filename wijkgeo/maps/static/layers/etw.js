/* wijkgeo map layer type "etw": a table per wijk as dashed wijk outlines (wijkgeo/maps/layers/etw.py).
 * MIT, part of wijkgeo. Strings from data arrive HTML-escaped (wijkgeo/maps/escape.py).
 */
(function () {
  "use strict";
  var wijkgeo = window.wijkgeo, ov = wijkgeo.ov;
  var POPUP = ov.POPUP, pane = ov.pane, list = ov.list, head = ov.head;

  /* ---------------------------------------------------------------- energietransitie */
  wijkgeo.layerTypes.etw = function (ctx, spec) {
    var T = ctx.T, group = L.featureGroup(), p = pane(ctx, "etw");
    function text(it) {
      var c = spec.cats[it.cat];
      return head(it.name, it.code) + "<div>" + T.etw_planned + " " + (it.year === null ? "?" : it.year) + " · " + c.label + "</div>" +
        (it.note ? '<div class="wijkgeo-caveat">' + it.note + "</div>" : "");
    }
    spec.items.forEach(function (it) {
      var lines = it.arcs.map(function (a) { return ctx.arcs[a]; });
      var line = L.polyline(lines, {pane: p.pane, renderer: p.renderer, className: "wijkgeo-etw",
        color: spec.cats[it.cat].color, weight: 4, opacity: 0.95, dashArray: "8 5", fill: false});
      line.bindTooltip(text(it), {sticky: true, className: "wijkgeo-tooltip"});
      line.bindPopup('<div class="wijkgeo-popup">' + text(it) + "</div>", POPUP);
      group.addLayer(line);
    });
    return {layer: group, legend: spec.legend, facts: function (i) {
      return list((spec.in_buurt[i] || []).map(function (j) {
        var it = spec.items[j];
        return T.etw_planned + " " + (it.year === null ? "?" : it.year) + " (" + spec.cats[it.cat].label + ")" + (it.note ? ": " + it.note : "");
      }), T);
    }};
  };
})();
