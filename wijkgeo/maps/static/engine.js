/* wijkgeo map engine (MIT, part of wijkgeo). Decodes the compact topology and indicator
 * arrays written by wijkgeo/maps (see topology.py and data.py), draws the layers with Leaflet,
 * recolours on the indicator selector, writes Dutch tooltips and popups, and keeps the chosen
 * indicator, mode, layers and buurt in the URL hash.
 *
 * Every string from data arrives HTML-escaped by wijkgeo/maps/escape.py; this file only
 * concatenates those strings and numbers it formats itself. No template literals, no eval.
 *
 * Layers are pluggable: wijkgeo.layerTypes[type](ctx, spec) returns {layer, legend?, facts?};
 * the Python side lists the layers (id, type, label, visible) in the payload. legend is HTML
 * (or a function returning it) shown in the layer-legend box while the layer is on; facts(i)
 * is the layer's HTML for buurt i in the "Check deze plek" panel. ctx.hooks lets a layer
 * type add to the URL hash (hash: [{write() -> "k=v" | null, read(h)}]), to the buurt popup
 * (popup: [fn(i) -> html]) and run after start (ready: [fn(api)]).
 */
(function () {
  "use strict";
  var B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  var LUT = new Int8Array(128);
  for (var c = 0; c < 64; c++) LUT[B64.charCodeAt(c)] = c;

  /* base64 VLQ -> numbers; "minus zero" is null (a missing value) */
  function vlq(s) {
    var out = [], v = 0, mul = 1;
    for (var i = 0; i < s.length; i++) {
      var d = LUT[s.charCodeAt(i)];
      v += (d & 31) * mul;
      if (d & 32) { mul *= 32; continue; }
      var neg = v % 2;
      v = (v - neg) / 2;
      out.push(neg ? (v === 0 ? null : -v) : v);
      v = 0; mul = 1;
    }
    return out;
  }

  function decodeArcs(topo) {
    var f = vlq(topo.arcs), x0 = topo.origin[0], y0 = topo.origin[1];
    var dx = topo.step[0], dy = topo.step[1];
    var arcs = [], i = 0, x = 0, y = 0;
    while (i < f.length) {
      var n = f[i++], a = new Array(n);
      for (var j = 0; j < n; j++) {
        x += f[i]; y += f[i + 1]; i += 2;
        a[j] = L.latLng(y0 + y * dy, x0 + x * dx);
      }
      arcs.push(a);
    }
    return arcs;
  }

  function ring(arcs, refs) {
    var out = [];
    for (var k = 0; k < refs.length; k++) {
      var r = refs[k], a = r >= 0 ? arcs[r] : arcs[~r], j;
      var skip = out.length ? 1 : 0;
      if (r >= 0) { for (j = skip; j < a.length; j++) out.push(a[j]); }
      else { for (j = a.length - 1 - skip; j >= 0; j--) out.push(a[j]); }
    }
    out.pop();
    return out;
  }

  function fmtNum(v, d) {
    var parts = Math.abs(v).toFixed(d).split(".");
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    var t = parts.join(",");
    return v < 0 && /[1-9]/.test(t) ? "-" + t : t;
  }

  function fmtValue(ind, v) {
    var n = fmtNum(v, ind.dec);
    if (ind.unit === "%") return n + "%";
    if (ind.unit === "jaar") return n.replace(/\./g, "");
    return n + " " + ind.unit;
  }

  function fmtDiff(ind, d, T) {
    var n = fmtNum(d, ind.dec);
    if (d > 0) n = "+" + n;
    if (ind.unit === "%") return n + " " + T.percent_point;
    if (ind.unit === "jaar") return n + " jaar";
    return n + " " + ind.unit;
  }

  var wijkgeo = window.wijkgeo = window.wijkgeo || {};
  wijkgeo.layerTypes = wijkgeo.layerTypes || {};
  wijkgeo.maps = wijkgeo.maps || {};

  /* the buurten, coloured by the selected indicator */
  wijkgeo.layerTypes.choropleth = function (ctx, spec) {
    var group = L.featureGroup();
    var polys = ctx.data.topology.rings;
    for (var i = 0; i < polys.length; i++) {
      var parts = polys[i], latlngs = [];
      for (var p = 0; p < parts.length; p++) {
        var rings = [];
        for (var q = 0; q < parts[p].length; q++) rings.push(ring(ctx.arcs, parts[p][q]));
        latlngs.push(rings);
      }
      var poly = L.polygon(latlngs.length === 1 ? latlngs[0] : latlngs, {
        renderer: ctx.renderer, className: "wijkgeo-buurt", color: "#555555", weight: 0.8,
        opacity: 0.9, fillOpacity: spec.opacity, fillColor: "#bdbdbd"
      });
      poly._wk = i;
      ctx.features.push(poly);
      group.addLayer(poly);
    }
    group.bindTooltip(function (layer) { return ctx.tooltip(layer._wk); },
                      {sticky: true, className: "wijkgeo-tooltip"});
    group.on("mouseover", function (e) {
      e.layer.setStyle({weight: 3, color: "#000000"});
      if (!ctx.canvas) e.layer.bringToFront();
    });
    group.on("mouseout", function (e) { ctx.restyle(e.layer._wk); });
    group.on("click", function (e) { ctx.select(e.layer._wk, e.latlng); });
    return {layer: group};
  };

  /* borders that lie on buurt edges (wijk, gemeente): a list of arcs, drawn as one path */
  wijkgeo.layerTypes.outline = function (ctx, spec) {
    var lines = [];
    for (var i = 0; i < spec.arcs.length; i++) lines.push(ctx.arcs[spec.arcs[i]]);
    return {layer: L.polyline(lines, {
      renderer: ctx.renderer, className: spec.className, color: spec.color || "#222222",
      weight: spec.weight || 2.5, opacity: 0.9, interactive: false, fill: false
    })};
  };

  function parseHash() {
    var out = {}, h = window.location.hash.replace(/^#/, "");
    h.split("&").forEach(function (kv) {
      if (!kv) return;
      var i = kv.indexOf("=");
      var k = decodeURIComponent(i < 0 ? kv : kv.slice(0, i));
      out[k] = i < 0 ? "" : decodeURIComponent(kv.slice(i + 1));
    });
    return out;
  }

  wijkgeo.start = function (map, dataId) {
    var data = JSON.parse(document.getElementById(dataId).textContent);
    var T = data.text, byKey = {}, order = [];
    data.indicators.forEach(function (ind) { byKey[ind.key] = ind; order.push(ind.key); });
    var n = data.codes.length, byCode = {};
    for (var b = 0; b < n; b++) byCode[data.codes[b]] = b;
    var groupOf = data.group_of || null;
    var ctx = {
      map: map, data: data, features: [], canvas: !!data.canvas,
      renderer: data.canvas ? L.canvas({padding: 0.5}) : L.svg({padding: 0.5}),
      arcs: decodeArcs(data.topology),
      hooks: {hash: [], popup: [], ready: []}, vlq: vlq, fmtNum: fmtNum, T: T
    };
    var state = {indicator: null, mode: "waarde", layers: {}, buurt: null};
    var cache = {};
    /* extensions (years.js) may show other values, classes, a legend and popup rows */
    var ext = {modes: []};

    function values(ind) { return (ext.values && ext.values(ind)) || values0(ind); }
    function values0(ind) {
      if (!cache[ind.key]) {
        var ints = vlq(ind.v), prev = ind.prev ? vlq(ind.prev) : null, o = ind.o || 0, j;
        for (j = 0; j < ints.length; j++) if (ints[j] !== null) ints[j] += o;
        if (prev) for (j = 0; j < prev.length; j++) if (prev[j] !== null) prev[j] += o;
        var s = Math.pow(10, ind.dec), reason = new Array(n), k;
        for (k in ind.miss) ind.miss[k].forEach(function (i) { reason[i] = data.reasons[+k]; });
        cache[ind.key] = {ints: ints, prev: prev, scale: s, reason: reason, ranks: null};
      }
      return cache[ind.key];
    }
    function groupIx(i) { return groupOf ? groupOf[i] : 0; }

    function classOf(ind, i) {
      if (ext.classOf && state.mode !== "waarde" && state.mode !== "verschil") return ext.classOf(ind, i);
      var val = values(ind).ints[i], bins, j;
      if (val === null) return -1;
      if (state.mode === "verschil") {
        var g = ind.gem[groupIx(i)];
        if (g === null || g === undefined || ind.total) return -1;
        var d = val - g, k = ind.dbins.length, a = Math.abs(d);
        if (d === 0 || k === 0) return k;
        for (j = 0; j < k - 1 && a > ind.dbins[j]; j++);
        return d > 0 ? k + 1 + j : k - 1 - j;
      }
      bins = ind.bins;
      for (j = 0; j < bins.length - 1 && val > bins[j]; j++);
      return j;
    }
    function colorOf(ind, i) {
      var k = classOf(ind, i);
      if (k === -2) return ext.grey;
      if (k < 0) return data.missing_color;
      if (state.mode === "waarde") return ind.colors[k];
      return (ext.colors && state.mode !== "verschil" ? ext.colors(ind) : ind.dcolors)[k];
    }

    function ranks(ind) {
      var v = values(ind);
      if (v.ranks) return v.ranks;
      var sorted = {}, i, g;
      for (i = 0; i < n; i++) {
        if (v.ints[i] === null) continue;
        g = groupIx(i);
        (sorted[g] = sorted[g] || []).push(v.ints[i]);
      }
      for (g in sorted) sorted[g].sort(function (a, b) { return a - b; });
      var low = ind.dir === "hoger_is_slechter", r = new Array(n);
      for (i = 0; i < n; i++) {
        if (v.ints[i] === null) { r[i] = null; continue; }
        var arr = sorted[groupIx(i)], x = v.ints[i], lo = 0, hi = arr.length;
        if (low) { /* count values strictly lower */
          while (lo < hi) { var m = (lo + hi) >> 1; if (arr[m] < x) lo = m + 1; else hi = m; }
          r[i] = [lo + 1, arr.length];
        } else { /* count values strictly higher */
          while (lo < hi) { var m2 = (lo + hi) >> 1; if (arr[m2] <= x) lo = m2 + 1; else hi = m2; }
          r[i] = [arr.length - lo + 1, arr.length];
        }
      }
      v.ranks = r;
      return r;
    }

    function valueText(ind, i) {
      var v = values(ind);
      if (v.ints[i] === null) {
        var why = v.reason[i];
        return why && why !== T.missing ? T.missing + " (" + why + ")" : T.missing;
      }
      return fmtValue(ind, v.ints[i] / v.scale);
    }

    function heading(i) {
      var wijk = data.wijken ? data.wijken[i] : null;
      return '<div class="wijkgeo-naam">' + data.names[i] + '</div><div class="wijkgeo-code">' +
        data.codes[i] + (wijk ? " · " + T.popup_wijk + " " + wijk : "") + "</div>";
    }

    ctx.tooltip = function (i) {
      var ind = byKey[state.indicator];
      return heading(i) + "<div>" + ind.label + ": <b>" + valueText(ind, i) + "</b></div>";
    };

    function row(th, td) { return "<tr><th>" + th + "</th><td>" + td + "</td></tr>"; }

    function popup(i) {
      var ind = byKey[state.indicator], v = values(ind), x = v.ints[i], s = v.scale;
      var g = ind.gem[groupIx(i)], html = heading(i);
      html += '<div class="wijkgeo-ind">' + ind.label + "</div><table>";
      var own = ext.popup ? ext.popup(ind, i, row) : null;
      if (own !== null) return '<div class="wijkgeo-popup">' + html + own + "</table></div>";
      html += row(T.popup_value, "<b>" + valueText(ind, i) + "</b>");
      var gname = data.groups[groupIx(i)];
      /* a count is shown next to the total, never as a difference with it */
      function compared(ref) {
        if (ref === null || ref === undefined) return T.missing;
        if (ind.total) return fmtValue(ind, ref / s) + " (" + T.total + ")";
        return fmtValue(ind, ref / s) + (x === null ? "" : " (" + fmtDiff(ind, (x - ref) / s, T) + ")");
      }
      html += row(T.popup_gemeente + " " + gname, compared(g));
      /* no Nederland figure: say why (ind.nlwhy) instead of a bare "geen gegevens" */
      html += row(T.popup_nederland, ind.nl === null && ind.nlwhy ?
                  T.missing + " (" + ind.nlwhy + ")" : compared(ind.nl));
      var r = ranks(ind)[i];
      if (r) html += row(T.popup_rank, r[0] + " " + T.popup_rank_of + " " + r[1] +
                         " (" + T.rank_end[ind.dir] + ")");
      if (data.previous) {
        var label = T.popup_change + " " + data.previous.year, p = v.prev ? v.prev[i] : null;
        var note = data.previous.notes[i];
        if (x !== null && p !== null && p !== undefined) {
          html += row(label, fmtDiff(ind, (x - p) / s, T) + " (" + fmtValue(ind, p / s) + ")");
        } else {
          html += row(label, T.popup_no_change + (note ? " (" + note + ")" : ""));
        }
      } else {
        html += row(T.popup_change_short, T.popup_no_previous);
      }
      if (ext.rows) html += ext.rows(ind, i, row);
      html += "</table>";
      if (ind.caveat) html += '<div class="wijkgeo-caveat">' + T.popup_caveat + ": " + ind.caveat + "</div>";
      ctx.hooks.popup.forEach(function (f) { html += f(i); });
      return '<div class="wijkgeo-popup">' + html + "</div>";
    }

    /* thin buurt outlines when zoomed out far (a national map would be all outline) */
    function outlineWeight() {
      var z = map.getZoom();
      return z < 9 ? 0 : z < 11 ? 0.3 : 0.8;
    }
    var weight = outlineWeight();
    ctx.restyle = function (i) {
      var f = ctx.features[i], sel = state.buurt === i;
      f.setStyle({fillColor: colorOf(byKey[state.indicator], i),
                  weight: sel ? 3.5 : weight, color: sel ? "#1a3cff" : "#555555"});
    };

    function writeHash() {
      var on = [];
      data.layers.forEach(function (l) { if (state.layers[l.id]) on.push(l.id); });
      var parts = ["indicator=" + encodeURIComponent(state.indicator),
                   "weergave=" + state.mode, "lagen=" + on.join(",")];
      if (state.buurt !== null) parts.push("buurt=" + encodeURIComponent(data.codes[state.buurt]));
      ctx.hooks.hash.forEach(function (k) { var p = k.write(); if (p) parts.push(p); });
      var h = "#" + parts.join("&");
      if (window.location.hash !== h) {
        try { window.history.replaceState(null, "", h); } catch (e) { window.location.hash = h; }
      }
    }

    var legendBox = document.getElementById(data.ids.legend);
    var select = document.getElementById(data.ids.select);
    function recolour() {
      var ind = byKey[state.indicator];
      for (var i = 0; i < n; i++) ctx.restyle(i);
      legendBox.innerHTML = (ext.legend && ext.legend(ind)) ||
        (state.mode === "verschil" ? ind.dlegend : ind.legend);
      if (ext.sync) ext.sync();
      if (select.value !== ind.key) select.value = ind.key;
      document.querySelectorAll("input[name=" + data.ids.mode + "]").forEach(function (r) {
        r.checked = r.value === state.mode;
      });
      if (state.buurt !== null && ctx.popup && ctx.popupFor === state.buurt) {
        ctx.popup.setContent(popup(state.buurt));
      }
      placeLegends();
    }

    ctx.select = function (i, latlng, zoom) {
      var prev = state.buurt;
      state.buurt = i;
      if (prev !== null) ctx.restyle(prev);
      ctx.restyle(i);
      var f = ctx.features[i];
      if (zoom) map.fitBounds(f.getBounds(), {maxZoom: 15, padding: [40, 40], animate: false});
      ctx.popupFor = i;
      /* keep the popup clear of the panel: beside it on a wide screen, below it on a phone */
      var tl = [10, 10], pr = panel ? panel.getBoundingClientRect() : null;
      var mr = map.getContainer().getBoundingClientRect();
      if (pr && pr.width) {
        if (narrow() || !panel.open) tl = [10, pr.bottom - mr.top + 10];
        else tl = [pr.right - mr.left + 10, 10];
      }
      ctx.popup = L.popup({maxWidth: 320, className: "wijkgeo-popup-box",
                           autoPanPaddingTopLeft: tl, autoPanPaddingBottomRight: [10, 10]})
        .setLatLng(latlng || f.getCenter()).setContent(popup(i));
      ctx.popup.openOn(map); /* closes the previous popup first: see popupclose */
      writeHash();
    };
    map.on("popupclose", function (e) {
      if (e.popup !== ctx.popup) return; /* an older popup, replaced by the current one */
      ctx.popup = null;
      var prev = state.buurt;
      state.buurt = null; ctx.popupFor = null;
      if (prev !== null) ctx.restyle(prev);
      writeHash();
    });

    var layers = {};
    data.layers.forEach(function (spec) {
      var make = wijkgeo.layerTypes[spec.type];
      if (!make) { if (window.console) console.warn("wijkgeo: onbekend laagtype " + spec.type); return; }
      layers[spec.id] = make(ctx, spec);
      layers[spec.id].spec = spec;
    });
    /* a layer is drawn when it is switched on and the zoom is within its minZoom */
    function showLayer(id) {
      var l = layers[id], spec = l.spec;
      var show = state.layers[id] && !(spec.minZoom && map.getZoom() < spec.minZoom);
      if (show && !map.hasLayer(l.layer)) l.layer.addTo(map);
      if (!show && map.hasLayer(l.layer)) map.removeLayer(l.layer);
    }
    map.on("zoomend", function () {
      for (var id in layers) showLayer(id);
      var w = outlineWeight();
      if (w !== weight) { weight = w; for (var i = 0; i < n; i++) ctx.restyle(i); }
    });
    function setLayer(id, on) {
      var l = layers[id];
      if (!l) return;
      state.layers[id] = !!on;
      showLayer(id);
      var box = document.querySelector('input[data-wijkgeo-layer="' + id + '"]');
      if (box) box.checked = !!on;
      /* the indicator legend belongs to the buurten: off with them */
      if (id === "buurten") legendBox.style.display = on ? "" : "none";
      layerLegends();
    }
    /* the legends of the categorical layers that are on, above the indicator legend */
    var layerBox = null;
    function layerLegends() {
      var parts = [];
      data.layers.forEach(function (spec) {
        var l = layers[spec.id];
        if (!l || !l.legend || !state.layers[spec.id]) return;
        var body = typeof l.legend === "function" ? l.legend() : l.legend;
        parts.push('<div class="wijkgeo-layerlegend-part" data-wijkgeo-legend="' + spec.id + '">' + body + "</div>");
      });
      if (!layerBox) {
        if (!parts.length) return;
        layerBox = document.createElement("details");
        layerBox.id = "wijkgeo-layerlegend";
        layerBox.className = "wijkgeo-box wijkgeo-layerlegend";
        layerBox.open = !narrow();
        layerBox.innerHTML = '<summary class="wijkgeo-head" title="' + T.legend_toggle + '">' + T.layers + '</summary><div></div>';
        map.getContainer().appendChild(layerBox);
        L.DomEvent.disableClickPropagation(layerBox);
        L.DomEvent.disableScrollPropagation(layerBox);
      }
      layerBox.lastChild.innerHTML = parts.join("");
      layerBox.style.display = parts.length ? "" : "none";
      data.layers.forEach(function (spec) {
        var l = layers[spec.id];
        if (l && l.bindLegend && state.layers[spec.id]) {
          l.bindLegend(layerBox.querySelector('[data-wijkgeo-legend="' + spec.id + '"]'));
        }
      });
      placeLegends();
    }
    /* the layer legends stand right above the indicator legend and never cover it */
    function placeLegends() {
      if (!layerBox) return;
      var mr = map.getContainer().getBoundingClientRect(), lb = legendBox.getBoundingClientRect();
      var bottom = legendBox.style.display === "none" ? 28 : mr.bottom - lb.top + 8;
      layerBox.style.bottom = bottom + "px";
      layerBox.style.maxHeight = Math.max(60, mr.height - bottom - 130) + "px";
    }
    ctx.refreshLegends = layerLegends;

    function firstAvailable() {
      for (var i = 0; i < order.length; i++) if (byKey[order[i]].ok) return order[i];
      return order[0];
    }
    function apply(h) {
      var key = h.indicator && byKey[h.indicator] && byKey[h.indicator].ok ? h.indicator :
        (state.indicator || (byKey[data.initial] && byKey[data.initial].ok ? data.initial : firstAvailable()));
      state.indicator = key;
      state.mode = h.weergave === "verschil" || ext.modes.indexOf(h.weergave) >= 0 ? h.weergave : "waarde";
      var want = h.lagen !== undefined ? h.lagen.split(",") : null;
      data.layers.forEach(function (l) {
        setLayer(l.id, want ? want.indexOf(l.id) >= 0 : l.visible);
      });
      ctx.hooks.hash.forEach(function (k) { k.read(h); });
      recolour();
      placeLegends();
      if (h.buurt !== undefined && byCode[h.buurt] !== undefined) {
        ctx.select(byCode[h.buurt], null, true);
      } else if (state.buurt !== null) {
        map.closePopup();
      }
      writeHash();
    }

    legendBox.addEventListener("toggle", placeLegends);
    window.addEventListener("resize", placeLegends);
    select.addEventListener("change", function () {
      if (byKey[select.value] && byKey[select.value].ok) { state.indicator = select.value; recolour(); writeHash(); }
    });
    document.querySelectorAll("input[name=" + data.ids.mode + "]").forEach(function (r) {
      r.addEventListener("change", function () { if (r.checked) { state.mode = r.value; recolour(); writeHash(); } });
    });
    document.querySelectorAll("input[data-wijkgeo-layer]").forEach(function (box) {
      box.addEventListener("change", function () { setLayer(box.getAttribute("data-wijkgeo-layer"), box.checked); writeHash(); });
    });
    window.addEventListener("hashchange", function () { apply(parseHash()); });

    /* on a phone the panel starts folded (one tap on the title opens it) and folds away
       when a popup opens, so the popup is never under it */
    var panel = document.getElementById(data.ids.panel);
    function narrow() { return map.getContainer().clientWidth < 600; }
    if (panel && narrow()) panel.open = false;
    map.on("popupopen", function () { if (panel && narrow()) panel.open = false; });

    ctx.byKey = byKey; ctx.order = order; ctx.state = state; ctx.valueText = valueText;
    ctx.layers = layers; ctx.byCode = byCode; ctx.writeHash = writeHash; ctx.narrow = narrow;
    ctx.panel = panel; ctx.setLayer = setLayer;
    ctx.ext = ext; ctx.values0 = values0; ctx.recolour = recolour; ctx.classOf = classOf;
    ctx.fmtValue = fmtValue; ctx.fmtDiff = fmtDiff; ctx.n = n;
    if (data.extras || data.jaren) (wijkgeo.extensions || []).forEach(function (f) { f(ctx); });
    ctx.hooks.ready.forEach(function (f) { f(ctx); });
    apply(parseHash());
    var api = {map: map, state: state, ctx: ctx, layers: layers, popup: popup,
               classOf: function (i) { return classOf(byKey[state.indicator], i); },
               setIndicator: function (k) { state.indicator = k; recolour(); writeHash(); }};
    wijkgeo.maps[dataId] = api;
    wijkgeo.ready = true;
    document.documentElement.setAttribute("data-wijkgeo", "klaar");
    return api;
  };
})();
