/* wijkgeo map layer type "points": points of a local layer by category, clustered on a grid (wijkgeo/maps/layers/points.py).
 * MIT, part of wijkgeo. Strings from data arrive HTML-escaped (wijkgeo/maps/escape.py).
 */
(function () {
  "use strict";
  var wijkgeo = window.wijkgeo, ov = wijkgeo.ov;
  var POPUP = ov.POPUP, pane = ov.pane, points = ov.points, list = ov.list, nearMark = ov.nearMark, head = ov.head;

  /* ---------------------------------------------------------------- points (+ clusters) */
  wijkgeo.layerTypes.points = function (ctx, spec) {
    var T = ctx.T, pts = points(ctx, spec.pts, spec.q), group = L.layerGroup(), cache = {};
    var dots = pane(ctx, "dots");
    function label(j) {
      var c = spec.cats[spec.cat[j]];
      return head(spec.names[j], c.label + (spec.info[j] ? " · " + spec.info[j] : ""));
    }
    function marker(j) {
      if (cache[j]) return cache[j];
      var c = spec.cats[spec.cat[j]], m;
      if (spec.cluster) {
        m = L.marker(pts[j], {icon: L.divIcon({
          className: "wijkgeo-poi", iconSize: [24, 24],
          html: '<span style="background:' + c.color + '">' + c.symbol + "</span>"})});
      } else {
        m = L.circleMarker(pts[j], {pane: dots.pane, renderer: dots.renderer, radius: 7,
          className: "wijkgeo-initiatief", color: "#ffffff", weight: 2, fillColor: c.color, fillOpacity: 1});
      }
      m.bindTooltip(label(j), {className: "wijkgeo-tooltip"});
      m.bindPopup('<div class="wijkgeo-popup">' + label(j) + "</div>", POPUP);
      m._wkPoint = j;
      cache[j] = m;
      return m;
    }
    /* a grid clusterer: points whose projected pixels share a cell of clusterPx at this zoom
       are one marker with their count; from zoom 17 on, every point stands alone */
    function render() {
      group.clearLayers();
      var z = ctx.map.getZoom(), cells = {}, keys = [], j;
      if (!spec.cluster || z >= 17) {
        for (j = 0; j < pts.length; j++) group.addLayer(marker(j));
        return;
      }
      for (j = 0; j < pts.length; j++) {
        var p = ctx.map.project(pts[j], z), k = Math.floor(p.x / spec.clusterPx) + ":" + Math.floor(p.y / spec.clusterPx);
        if (!cells[k]) { cells[k] = []; keys.push(k); }
        cells[k].push(j);
      }
      keys.forEach(function (k) {
        var m = cells[k];
        if (m.length === 1) { group.addLayer(marker(m[0])); return; }
        var lat = 0, lng = 0;
        m.forEach(function (i) { lat += pts[i].lat; lng += pts[i].lng; });
        var c = L.marker([lat / m.length, lng / m.length], {icon: L.divIcon({
          className: "wijkgeo-cluster", iconSize: [30, 30], html: "<span>" + m.length + "</span>"})});
        var names = m.slice(0, 8).map(function (i) {
          var cat = spec.cats[spec.cat[i]];
          return '<li><span class="wijkgeo-key wijkgeo-key-letter" style="--c:' + cat.color + '">' + cat.symbol + "</span> " + spec.names[i] + "</li>";
        }).join("");
        if (m.length > 8) names += "<li>+ " + (m.length - 8) + "</li>";
        c.bindTooltip('<div class="wijkgeo-naam">' + m.length + " " + T.assets_voorz + '</div><ul class="wijkgeo-clusterlist">' + names + "</ul>",
                      {className: "wijkgeo-tooltip"});
        c._wkCluster = m;
        c.on("click", function () {
          ctx.map.fitBounds(L.latLngBounds(m.map(function (i) { return pts[i]; })), {padding: [40, 40], maxZoom: 18});
        });
        group.addLayer(c);
      });
    }
    group.on("add", render);
    ctx.map.on("zoomend", function () { if (ctx.map.hasLayer(group)) render(); });
    return {layer: group, legend: spec.legend, markers: cache, render: render,
      facts: function (i) {
        return list((spec.in_buurt[i] || []).map(function (j) {
          var c = spec.cats[spec.cat[j]];
          return spec.names[j] + ' <span class="wijkgeo-code">' + c.label + (spec.info[j] ? " · " + spec.info[j] : "") + nearMark(spec, i, j) + "</span>";
        }), T);
      }};
  };
})();
