/* wijkgeo map layer type "grid": the 500 m cells with a variable selector (wijkgeo/maps/layers/grid.py).
 * MIT, part of wijkgeo. Strings from data arrive HTML-escaped (wijkgeo/maps/escape.py).
 */
(function () {
  "use strict";
  var wijkgeo = window.wijkgeo, ov = wijkgeo.ov;
  var pane = ov.pane, shape = ov.shape, head = ov.head;

  /* ---------------------------------------------------------------- 500 m grid */
  wijkgeo.layerTypes.grid = function (ctx, spec) {
    var group = L.featureGroup(), p = pane(ctx, "grid"), cells = [], current = spec.vars[0], cache = {};
    var small = ctx.data && ctx.data.small_color ? String(ctx.data.small_color).toLowerCase() : null;
    spec.cells.forEach(function (g, j) {
      var s = shape(ctx, g, 1e-5);
      var poly = L.polygon(s.polys, {pane: p.pane, renderer: p.renderer, className: "wijkgeo-cel",
        color: "#ffffff", weight: 0.6, opacity: 0.8, fillOpacity: 0.75});
      poly._wkCell = j;
      cells.push(poly);
      group.addLayer(poly);
    });
    function vals(v) {
      if (!cache[v.key]) cache[v.key] = ctx.vlq(v.v);
      return cache[v.key];
    }
    function classOf(v, x) {
      if (x === null) return -1;
      for (var j = 0; j < v.bins.length - 1 && x > v.bins[j]; j++);
      return j;
    }
    function ints(v, field) {
      var k = v.key + "." + field;
      if (!cache[k]) cache[k] = v[field] ? ctx.vlq(v[field]) : [];
      return cache[k];
    }
    function why(v, j) {  /* the facts' reason a cell has no value (index into spec.reasons) */
      var r = ints(v, "why")[j];
      return r === null || r === undefined ? -1 : r;
    }
    function number(v, x) {
      var n = ctx.fmtNum(x / Math.pow(10, v.dec), v.dec);
      return v.unit === "%" ? n + "%" : n + " " + v.unit;
    }
    function valueText(v, j) {
      var x = vals(v)[j];
      if (x === null) return why(v, j) < 0 ? ctx.T.missing : spec.reasons[why(v, j)];
      return number(v, x);
    }
    function rankText(v, j) {  /* a registry indicator: its rank among the cells, the gemeente */
      if (!v.rank) return "";
      var r = ints(v, "rank")[j], n = ints(v, "of")[j], out = "";
      if (r !== null && r !== undefined) out += "<br>" + spec.rank_label + " " + r + " " + spec.rank_of + " " + n + " (" + v.rank_end + ")";
      if (v.ref !== null && v.ref !== undefined) out += "<br>" + spec.ref_label + " " + number(v, v.ref);
      return out;
    }
    function restyle() {
      var a = vals(current);
      cells.forEach(function (c, j) {
        var k = classOf(current, a[j]);
        var w = k < 0 ? why(current, j) : -1;
        var col = k >= 0 ? current.colors[k] : (w < 0 ? spec.missing_color : spec.reason_colors[w]);
        c.setStyle({fillColor: col});
        /* "te weinig inwoners" hatched over its grey, as the buurten (engine.js, engine.css) */
        if (c._path && small) c._path.classList.toggle("wijkgeo-small", String(col).toLowerCase() === small);
      });
    }
    group.bindTooltip(function (layer) {
      var j = layer._wkCell;
      return head(current.label + ": <b>" + valueText(current, j) + "</b>", spec.codes[j] + " · " + current.source + rankText(current, j));
    }, {sticky: true, className: "wijkgeo-tooltip"});
    function choose(key) {
      spec.vars.forEach(function (v) { if (v.key === key) current = v; });
      restyle();
    }
    ctx.hooks.hash.push({
      write: function () { return ctx.state.layers.vierkanten ? "vierkant=" + encodeURIComponent(current.key) : null; },
      read: function (h) { if (h.vierkant) choose(h.vierkant); }
    });
    restyle();
    group.on("add", restyle);  /* the paths exist once the cells are on the map */
    return {
      layer: group,
      legend: function () {
        var opts = spec.vars.map(function (v) {
          return '<option value="' + v.key + '"' + (v === current ? " selected" : "") + ">" + v.label + " — " + v.source + "</option>";
        }).join("");
        return '<label class="wijkgeo-field">' + spec.choose + '<select data-wijkgeo-grid>' + opts + "</select></label>" + current.legend;
      },
      bindLegend: function (el) {
        if (ctx.hatchSwatches) ctx.hatchSwatches(el);
        var sel = el && el.querySelector("[data-wijkgeo-grid]");
        if (!sel) return;
        sel.addEventListener("change", function () { choose(sel.value); ctx.refreshLegends(); ctx.writeHash(); });
      },
      choose: function (k) { choose(k); ctx.refreshLegends(); },
      current: function () { return current.key; }
    };
  };
})();
