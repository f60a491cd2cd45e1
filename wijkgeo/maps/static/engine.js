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
  /* the online variant (--cdn) loads Leaflet from the CDN; without network it is missing:
     say so in Dutch (text.offline in the data block) instead of leaving a blank page */
  if (typeof window.L === "undefined") {
    var say = function () {
      var msg = "Deze kaart kan niet laden: er is geen internetverbinding.";
      var block = document.getElementById("wijkgeo-data");
      try { msg = JSON.parse(block.textContent).text.offline || msg; } catch (e) { /* keep */ }
      var box = document.createElement("div");
      box.setAttribute("role", "alert");
      box.className = "wijkgeo-offline";
      box.style.cssText = "position:relative;z-index:2000;margin:16px;padding:12px 16px;max-width:640px;" +
        "background:#fff;border:2px solid #8a1c1c;color:#222;font:16px/1.4 system-ui,Arial,sans-serif";
      box.textContent = msg;
      document.body.insertBefore(box, document.body.firstChild);
    };
    if (document.body) say(); else document.addEventListener("DOMContentLoaded", say);
  }
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
    /* amounts as amounts, like wijkgeo.text.quantity: "€ 207.000", not "207 x 1.000 euro" */
    if (ind.unit === "x 1.000 euro") return "€ " + fmtNum(v * 1000, 0);
    var n = fmtNum(v, ind.dec);
    if (ind.unit === "%") return n + "%";
    if (ind.unit === "jaar") return n.replace(/\./g, "");
    if (ind.unit === "aantal") return n; /* the label says what is counted */
    return n + " " + ind.unit;
  }

  /* a difference as the profile says it (text.change): a real minus, procentpunt up to 1
     and procentpunten above, an amount as an amount */
  function fmtDiff(ind, d, T) {
    var r = Math.abs(d);
    var sign = d > 0 ? "+" : d < 0 ? "\u2212" : "";
    if (ind.unit === "%") return sign + fmtNum(r, ind.dec) + " " + (r > 1 ? T.percent_points : T.percent_point);
    if (ind.unit === "x 1.000 euro") return sign + "€ " + fmtNum(r * 1000, 0);
    if (ind.unit === "aantal") return sign + fmtNum(r, ind.dec);
    if (ind.unit === "jaar") return sign + fmtNum(r, ind.dec) + " jaar";
    return sign + fmtNum(r, ind.dec) + " " + ind.unit;
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
      /* keyboard users reach a buurt through the search box and the table, not by tabbing
         through hundreds of shapes: keep the SVG paths out of the tab order */
      poly.on("add", function () {
        var el = this.getElement && this.getElement();
        if (el) { el.setAttribute("tabindex", "-1"); el.setAttribute("focusable", "false"); }
      });
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

  /* Deep-link keys and the values they accept; anything else in the hash is ignored (a
     malformed escape such as "#%", an unknown key, "__proto__", a value like "toString" that
     would find a prototype member in a lookup table). Extensions add keys to
     wijkgeo.hashKeys. */
  wijkgeo.hashKeys = wijkgeo.hashKeys || {};
  var HASH_KEYS = {
    indicator: /^[a-z0-9_]{1,80}$/,
    weergave: /^(waarde|verschil|vergelijkbaar|verandering)$/,  /* verandering: years.js */
    lagen: /^[a-z0-9_,]{0,400}$/,
    gebied: /^(buurt|wijk)$/,  /* written by writeHash: a shared link keeps the wijk mode */
    buurt: /^(BU[0-9]{4}[0-9A-Z]{4}|WK[0-9]{4}[0-9A-Z]{2}|GM[0-9]{4})$/,
    jaren: /^[0-9]{4}-[0-9]{4}$/,
    vierkant: /^[a-z0-9_]{1,80}$/,
    achtergrond: /^[a-z0-9_]{1,40}$/
  };

  function parseHash() {
    var out = Object.create(null), h = String(window.location.hash || "").replace(/^#/, "");
    if (h.length > 2000) return out;
    h.split("&").forEach(function (kv) {
      if (!kv) return;
      var i = kv.indexOf("="), k, v;
      try {
        k = decodeURIComponent(i < 0 ? kv : kv.slice(0, i));
        v = i < 0 ? "" : decodeURIComponent(kv.slice(i + 1));
      } catch (e) { return; }  /* "#%": not a valid escape */
      var pattern = Object.prototype.hasOwnProperty.call(HASH_KEYS, k) ? HASH_KEYS[k] :
        (Object.prototype.hasOwnProperty.call(wijkgeo.hashKeys, k) ? wijkgeo.hashKeys[k] : null);
      if (!pattern || !pattern.test(v) || v in Object.prototype) return;
      out[k] = v;
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
    var state = {indicator: null, mode: "waarde", layers: {}, buurt: null, area: "buurt"};
    var cache = {};
    /* extensions (years.js) may show other values, classes, a legend and popup rows */
    var ext = {modes: []};
    /* wijken with their own values (data.area + ind.wv): every buurt shows its wijk's figure,
       the wijk borders stay drawn; ranks and changes are buurt figures and are left out */
    var area = data.area || null;
    function wijkMode(ind) { return state.area === "wijk" && area && ind && ind.wv; }

    function values(ind) {
      if (wijkMode(ind)) {
        var wk = ind.key + "|wijk";
        if (!cache[wk]) {
          var w = vlq(ind.wv), ow = ind.o || 0, per = new Array(n), why = new Array(n);
          /* the peers view: each wijk against the wijken of the country (wpm, wpo) */
          var wm = ind.wpm ? vlq(ind.wpm) : null, wo = ind.wpo ? vlq(ind.wpo) : null;
          var pm = wm ? new Array(n) : null, po = wo ? new Array(n) : null;
          function at(arr, q) {
            var y = arr[area.of[q]];
            return y === null || y === undefined ? null : y + ow;
          }
          for (var q = 0; q < n; q++) {
            per[q] = at(w, q);
            if (pm) pm[q] = at(wm, q);
            if (po) po[q] = at(wo, q);
          }
          cache[wk] = {ints: per, prev: null, pm: pm, po: po, scale: Math.pow(10, ind.dec),
                       reason: why, ranks: null};
        }
        return cache[wk];
      }
      return (ext.values && ext.values(ind)) || values0(ind);
    }
    function values0(ind) {
      if (!cache[ind.key]) {
        var ints = vlq(ind.v), prev = ind.prev ? vlq(ind.prev) : null, o = ind.o || 0, j;
        /* peers: their median (pm) and, for an earlier reference year, the own value (po) */
        var pm = ind.pm ? vlq(ind.pm) : null, po = ind.po ? vlq(ind.po) : null;
        for (j = 0; j < ints.length; j++) if (ints[j] !== null) ints[j] += o;
        if (prev) for (j = 0; j < prev.length; j++) if (prev[j] !== null) prev[j] += o;
        if (pm) for (j = 0; j < pm.length; j++) if (pm[j] !== null) pm[j] += o;
        if (po) for (j = 0; j < po.length; j++) if (po[j] !== null) po[j] += o;
        var s = Math.pow(10, ind.dec), reason = new Array(n), k;
        for (k in ind.miss) ind.miss[k].forEach(function (i) { reason[i] = data.reasons[+k]; });
        cache[ind.key] = {ints: ints, prev: prev, pm: pm, po: po, scale: s, reason: reason,
                          ranks: null};
      }
      return cache[ind.key];
    }
    function groupIx(i) { return groupOf ? groupOf[i] : 0; }
    /* the peers view's classes, legend and words: of the wijken in wijk mode (w-keys) */
    function peerOf(ind, key) { return wijkMode(ind) ? ind["w" + key] : ind[key]; }
    function peerWord(key) {
      var pw = data.peers.words;
      return state.area === "wijk" && pw[key + "_wijk"] ? pw[key + "_wijk"] : pw[key];
    }
    /* the peers view's radio says "vergelijkbare wijken" in "Gebied: wijken" mode */
    function peerModeLabel() {
      var box = document.getElementById(data.ids.panel);
      if (!data.peers || !box) return;
      var r = box.querySelector("input[name=" + data.ids.mode + "][value=vergelijkbaar]");
      var word = peerWord("mode_peers");
      if (r && word && r.parentNode && r.parentNode.lastChild) r.parentNode.lastChild.nodeValue = word;
    }

    function classOf(ind, i) {
      if (ext.classOf && ext.modes.indexOf(state.mode) >= 0) return ext.classOf(ind, i);
      var val = values(ind).ints[i], bins, j;
      if (state.mode === "vergelijkbaar") {
        var pv = values(ind), own = pv.po ? pv.po[i] : val;
        var pbins = peerOf(ind, "pdbins") || [];
        var med = pv.pm ? pv.pm[i] : null, pk = pbins.length;
        if (own === null || med === null || med === undefined) return -1;
        var pd = own - med, pa = Math.abs(pd);
        if (pd === 0 || pk === 0) return pk;
        for (j = 0; j < pk - 1 && pa > pbins[j]; j++);
        return pd > 0 ? pk + 1 + j : pk - 1 - j;
      }
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
      if (k < 0) {
        /* "te weinig inwoners" is not "geen gegevens": its own grey, in the legend too */
        var why = values(ind).reason[i];
        if (why && data.small_color && (data.small_reasons || []).indexOf(why) >= 0) return data.small_color;
        return data.missing_color;
      }
      if (state.mode === "waarde") return ind.colors[k];
      if (state.mode === "vergelijkbaar") return peerOf(ind, "pdcolors")[k];
      return (ext.colors && ext.modes.indexOf(state.mode) >= 0 ? ext.colors(ind) : ind.dcolors)[k];
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

    /* a model estimate (RIVM) never shows as a bare number: "schatting <jaar>" and, where
       published, its 95 % bounds */
    function estimateText(ind, i) {
      var e = ind.est, v = values(ind);
      if (!e.ints) e.ints = {lo: e.lo ? vlq(e.lo) : null, hi: e.hi ? vlq(e.hi) : null};
      var t = T.estimate + (e.year ? " " + e.year : ""), lo = e.ints.lo, hi = e.ints.hi;
      if (lo && hi && lo[i] !== null && hi[i] !== null) {
        t += ", " + T.estimate_between + " " + fmtValue(ind, lo[i] / v.scale) + " " +
          T.estimate_and + " " + fmtValue(ind, hi[i] / v.scale);
      } else {
        t += ", " + T.estimate_no_bounds;
      }
      return t;
    }

    function valueText(ind, i) {
      var v = values(ind);
      if (v.ints[i] === null) {
        var why = v.reason[i];
        if (ind.est && data.herkomst && data.herkomst[i] && !why) why = data.herkomst[i];
        return why && why !== T.missing ? T.missing + " (" + why + ")" : T.missing;
      }
      var shown = fmtValue(ind, v.ints[i] / v.scale);
      return ind.est ? shown + " (" + estimateText(ind, i) + ")" : shown;
    }

    function heading(i) {
      var wijk = data.wijken ? data.wijken[i] : null;
      if (wijkMode(byKey[state.indicator])) {
        return '<div class="wijkgeo-naam">' + T.popup_wijk + " " + area.names[area.of[i]] +
          '</div><div class="wijkgeo-code">' + area.codes[area.of[i]] + " · " + T.search_buurt + " " +
          data.names[i] + "</div>";
      }
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
      /* in wijk mode the figure is the wijk's own: "Deze wijk", not "Deze buurt" */
      var valueLabel = wijkMode(ind) && T.popup_value_wijk ? T.popup_value_wijk : T.popup_value;
      html += row(valueLabel, "<b>" + valueText(ind, i) + "</b>");
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
      if (data.peers && v.pm) { /* the median of the structurally similar buurten (wijken) */
        var pmed = v.pm[i], pw = data.peers.words, plabel = peerWord("popup_peers");
        if (pmed === null || pmed === undefined) {
          html += row(plabel, T.missing);
        } else if (v.po) { /* an earlier reference year: the buurt's own value of that year */
          var pown = v.po[i];
          html += row(plabel + " " + pw.popup_peers_year + " " + data.peers.year,
                      fmtValue(ind, pmed / s) + (pown === null ? "" : " (" + valueLabel.toLowerCase() +
                      " " + fmtValue(ind, pown / s) + ", " + fmtDiff(ind, (pown - pmed) / s, T) + ")"));
        } else {
          html += row(plabel, fmtValue(ind, pmed / s) +
                      (x === null ? "" : " (" + fmtDiff(ind, (x - pmed) / s, T) + ")"));
        }
      }
      var r = wijkMode(ind) ? null : ranks(ind)[i];
      if (r) html += row(T.popup_rank, r[0] + " " + T.popup_rank_of + " " + r[1] +
                         " (" + T.rank_end[ind.dir] + ")");
      if (wijkMode(ind)) {
        /* a wijk's own figure: no buurt rank, no change */
      } else if (ind.est && data.herkomst) {
        /* a model estimate is one edition (its year in the value row, its provenance below):
           not the stored years' series, whose change and boundary rows would contradict it */
      } else if (ext.change) { /* years.js: the change from the series, with its provenance */
        html += ext.change(ind, i, row);
      } else if (data.previous) {
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
      if (ind.est && data.herkomst && data.herkomst[i]) html += row(T.popup_herkomst, data.herkomst[i]);
      if (ext.rows && !(ind.est && data.herkomst)) html += ext.rows(ind, i, row);
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
    /* "te weinig inwoners" is hatched over its own grey (engine.css), on the map, in the
       legend and in the table, so it never reads as "geen gegevens" */
    var small = data.small_color ? String(data.small_color).toLowerCase() : null;
    if (small && !document.getElementById("wijkgeo-hatch")) {
      var defs = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      defs.setAttribute("aria-hidden", "true");
      defs.setAttribute("class", "wijkgeo-defs");
      defs.innerHTML = '<defs><pattern id="wijkgeo-hatch" patternUnits="userSpaceOnUse" width="6" height="6"' +
        ' patternTransform="rotate(45)"><rect width="6" height="6" fill="' + small + '"></rect>' +
        '<rect width="2" height="6" fill="#ffffff" fill-opacity="0.75"></rect></pattern></defs>';
      document.body.appendChild(defs);
    }
    function hatchSwatches(root) {
      if (!small || !root) return;
      [].slice.call(root.querySelectorAll(".wijkgeo-swatch")).forEach(function (sw) {
        var st = (sw.getAttribute("style") || "").toLowerCase();
        sw.classList.toggle("wijkgeo-small", st.indexOf(small) >= 0);
      });
    }
    ctx.hatchSwatches = hatchSwatches;
    ctx.restyle = function (i) {
      var f = ctx.features[i], sel = state.buurt === i, c = colorOf(byKey[state.indicator], i);
      f.setStyle({fillColor: c, weight: sel ? 3.5 : weight, color: sel ? "#1a3cff" : "#555555"});
      if (f._path && small) f._path.classList.toggle("wijkgeo-small", String(c).toLowerCase() === small);
    };

    function writeHash() {
      var on = [];
      data.layers.forEach(function (l) { if (state.layers[l.id]) on.push(l.id); });
      var parts = ["indicator=" + encodeURIComponent(state.indicator),
                   "weergave=" + state.mode, "lagen=" + on.join(",")];
      if (state.area === "wijk") parts.push("gebied=wijk");
      if (state.buurt !== null) parts.push("buurt=" + encodeURIComponent(data.codes[state.buurt]));
      ctx.hooks.hash.forEach(function (k) { var p = k.write(); if (p) parts.push(p); });
      var h = "#" + parts.join("&");
      if (window.location.hash !== h) {
        try { window.history.replaceState(null, "", h); } catch (e) { window.location.hash = h; }
      }
    }

    var legendBox = document.getElementById(data.ids.legend);
    /* "Gebied: wijken": the legend counts wijken, not buurten. Each wijk is counted once, in
       the class of its own value; a legend row is found by its swatch colour (every class
       has its own), the missing rows become one "geen gegevens" row (a wijk has no reason) */
    function countWijken(ind) {
      var by = {}, seen = {}, i, w, c;
      function norm(x) { return String(x || "").replace(/\s+/g, "").toLowerCase(); }
      for (i = 0; i < n; i++) {
        w = area.of[i];
        if (w === null || w === undefined || seen[w]) continue;
        seen[w] = true;
        c = norm(colorOf(ind, i));
        by[c] = (by[c] || 0) + 1;
      }
      var missing = [norm(data.missing_color), norm(data.small_color)], done = {};
      [].slice.call(legendBox.querySelectorAll("tr")).forEach(function (tr) {
        var sw = tr.querySelector(".wijkgeo-swatch"), cell = tr.querySelector(".wijkgeo-n");
        if (!sw || !cell) return;
        var m = /background(?:-color)?:\s*([^;]+)/.exec(sw.getAttribute("style") || "");
        c = norm(m ? m[1] : "");
        var isMissing = missing.indexOf(c) >= 0;
        if (isMissing && (done[c] || !by[c])) { tr.parentNode.removeChild(tr); return; }
        done[c] = true;
        if (isMissing) tr.children[1].textContent = T.missing;
        cell.textContent = fmtNum(by[c] || 0, 0);
        cell.title = T.count_title_wijk || cell.title;
      });
    }
    var select = document.getElementById(data.ids.select);
    function recolour() {
      var ind = byKey[state.indicator];
      for (var i = 0; i < n; i++) ctx.restyle(i);
      legendBox.innerHTML = (ext.legend && ext.legend(ind)) ||
        (state.mode === "verschil" ? ind.dlegend :
          state.mode === "vergelijkbaar" ? (peerOf(ind, "pdlegend") || '<p class="wijkgeo-note">' +
          (peerOf(ind, "pwhy") || T.missing) + "</p>") : ind.legend);
      if (wijkMode(ind) && ext.modes.indexOf(state.mode) < 0) countWijken(ind);
      hatchSwatches(legendBox);
      if (ext.sync) ext.sync();
      if (select.value !== ind.key) select.value = ind.key;
      document.querySelectorAll("input[name=" + data.ids.mode + "]").forEach(function (r) {
        r.checked = r.value === state.mode;
      });
      if (state.buurt !== null && ctx.popup && ctx.popupFor === state.buurt) {
        ctx.popup.setContent(popup(state.buurt));
      }
      placeLegends();
      if (typeof fillTable === "function") fillTable();
    }

    /* show a whole area: beside the panel on a wide screen, below it on a phone */
    ctx.fit = function (bounds, withPopup) {
      var tl = [30, 30], pr = panel ? panel.getBoundingClientRect() : null;
      var mr = map.getContainer().getBoundingClientRect();
      if (pr && pr.width && panel.open) {
        if (narrow()) tl = [30, Math.min(pr.bottom - mr.top + 10, mr.height / 2)];
        else tl = [Math.min(pr.right - mr.left + 20, mr.width / 2), 30];
      }
      /* the popup opens above the area's top edge: leave it room, so the whole area shows */
      if (withPopup) tl[1] = Math.max(tl[1], Math.min(mr.height * 0.5, 380));
      map.fitBounds(bounds, {maxZoom: 15, paddingTopLeft: tl, paddingBottomRight: [30, 60],
                             animate: false});
    };

    ctx.select = function (i, latlng, zoom) {
      var prev = state.buurt;
      state.buurt = i;
      if (prev !== null) ctx.restyle(prev);
      ctx.restyle(i);
      var f = ctx.features[i];
      /* on a phone the panel folds before the fit (the popup folds it anyway): the area and
         its popup are placed in the room the folded panel leaves */
      if (panel && narrow()) panel.open = false;
      if (zoom) ctx.fit(f.getBounds(), true);
      ctx.popupFor = i;
      /* keep the popup clear of the panel: beside it on a wide screen, below it on a phone */
      var tl = [10, 10], pr = panel ? panel.getBoundingClientRect() : null;
      var mr = map.getContainer().getBoundingClientRect();
      if (pr && pr.width) {
        if (narrow() || !panel.open) tl = [10, pr.bottom - mr.top + 10];
        else tl = [pr.right - mr.left + 10, 10];
      }
      ctx.popup = L.popup({maxWidth: 320, className: "wijkgeo-popup-box",
                           maxHeight: narrow() ? Math.max(160, Math.round(mr.height * 0.4)) : null,
                           autoPanPaddingTopLeft: tl, autoPanPaddingBottomRight: [10, 10]})
        .setLatLng(latlng || (zoom ? L.latLng(f.getBounds().getNorth(), f.getBounds().getCenter().lng)
                                   : f.getCenter())).setContent(popup(i));
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
      state.mode = h.weergave === "verschil" || ext.modes.indexOf(h.weergave) >= 0 ? h.weergave :
        (h.weergave === "vergelijkbaar" && data.peers) ? "vergelijkbaar" : "waarde";
      state.area = h.gebied === "wijk" && area ? "wijk" : "buurt";
      if (areaBoxes) areaBoxes.forEach(function (r) { r.checked = r.value === state.area; });
      peerModeLabel();
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
    /* the panel (search, indicator, layers) comes first in the tab order, before the map's
       markers and controls: it is positioned absolutely, so moving it changes no layout */
    if (panel && panel.parentNode) panel.parentNode.insertBefore(panel, panel.parentNode.firstChild);
    function narrow() { return map.getContainer().clientWidth < 600; }
    if (panel && narrow()) panel.open = false;
    /* on a phone a popup also folds the legends (they stand over the lower half of the
       screen) and scrolls within the room left; the legend opens again when it closes */
    var popups = 0, foldedLegend = false;
    map.on("popupopen", function (e) {
      popups += 1;
      if (!narrow()) return;
      if (panel) panel.open = false;
      if (legendBox.open) { legendBox.open = false; foldedLegend = true; }
      var lb = document.getElementById("wijkgeo-layerlegend");
      if (lb) lb.open = false;
      if (!e.popup.options.maxHeight) {
        e.popup.options.maxHeight = Math.max(160, Math.round(map.getContainer().clientHeight * 0.4));
        e.popup.update();
      }
      var el = e.popup.getElement && e.popup.getElement();
      var body = el && el.querySelector(".leaflet-popup-scrolled");
      if (body) body.tabIndex = 0; /* a scrolling region is reachable by keyboard */
    });
    map.on("popupclose", function () {
      popups = Math.max(0, popups - 1);
      setTimeout(function () {
        if (popups === 0 && foldedLegend) { legendBox.open = true; foldedLegend = false; }
      }, 0);
    });

    /* "tabel": the current indicator for every buurt, as text (the map's text alternative):
       sortable, with the same classes and colours as the map, a button per buurt opens its
       figures (the popup) and shows it on the map */
    var table = {box: null, sort: "value", asc: false};
    function classLabel(ind, i) {
      var k = classOf(ind, i), color = colorOf(ind, i);
      var tmp = document.createElement("div");
      var lg = state.mode === "verschil" ? ind.dlegend :
        state.mode === "vergelijkbaar" ? (peerOf(ind, "pdlegend") || "") : ind.legend;
      tmp.innerHTML = "<details>" + lg + "</details>";
      var rows = tmp.querySelectorAll("tr"), want = color.toLowerCase(), j, sw;
      for (j = 0; j < rows.length; j++) {
        sw = rows[j].querySelector(".wijkgeo-swatch");
        if (sw && (sw.getAttribute("style") || "").toLowerCase().indexOf(want) >= 0) {
          return rows[j].children[1].textContent;
        }
      }
      return k < 0 ? valueText(ind, i) : "";
    }
    function esc(t) { var d = document.createElement("div"); d.textContent = t; return d.innerHTML; }
    function fillTable() {
      if (!table.box || table.box.hidden) return;
      var ind = byKey[state.indicator], v = values(ind), r = ranks(ind), idx = [], i;
      for (i = 0; i < n; i++) idx.push(i);
      var dir = table.asc ? 1 : -1;
      idx.sort(function (a, b) {
        if (table.sort === "name") {
          return dir * (data.names[a] < data.names[b] ? -1 : data.names[a] > data.names[b] ? 1 : 0);
        }
        var x = v.ints[a], y = v.ints[b];
        if (x === null && y === null) return 0;
        if (x === null) return 1;
        if (y === null) return -1;
        return dir * (x - y);
      });
      function head(key, label) {
        var sorted = table.sort === key;
        return '<th scope="col"' + (sorted ? ' aria-sort="' + (table.asc ? "ascending" : "descending") + '"' : "") +
          '><button type="button" data-wijkgeo-sort="' + key + '">' + label +
          (sorted ? (table.asc ? " ▲" : " ▼") : "") + "</button></th>";
      }
      var html = "<caption>" + ind.label + (ind.unit && ind.unit !== "%" ? " (" + ind.unit + ")" : "") +
        " · " + T.table_per_buurt + "</caption><thead><tr>" + head("name", T.table_name) +
        '<th scope="col">' + T.table_wijk + "</th>" + head("value", T.table_value) +
        '<th scope="col">' + T.table_class + '</th><th scope="col">' + T.table_rank + " (" +
        T.rank_end[ind.dir] + ")</th></tr></thead><tbody>";
      idx.forEach(function (i) {
        var rk = wijkMode(ind) ? null : r[i];
        html += '<tr><th scope="row"><button type="button" data-wijkgeo-buurt="' + i + '">' + data.names[i] +
          '</button> <span class="wijkgeo-code">' + data.codes[i] + "</span></th><td>" +
          (data.wijken ? data.wijken[i] || "" : "") + '</td><td class="wijkgeo-num">' + valueText(ind, i) +
          '</td><td><span class="wijkgeo-swatch" style="background:' + colorOf(ind, i) + '"></span> ' +
          esc(classLabel(ind, i)) + '</td><td class="wijkgeo-num">' + (rk ? rk[0] + " " + T.popup_rank_of + " " + rk[1] : "") +
          "</td></tr>";
      });
      table.box.querySelector("table").innerHTML = html + "</tbody>";
      hatchSwatches(table.box);
    }
    function openTable(open) {
      if (!table.box) {
        table.box = document.createElement("div");
        table.box.id = "wijkgeo-table";
        table.box.className = "wijkgeo-box wijkgeo-tablebox";
        table.box.setAttribute("role", "region");
        table.box.setAttribute("aria-label", T.table_title);
        table.box.innerHTML = '<div class="wijkgeo-tablehead"><h2>' + T.table_title +
          '</h2><button type="button" class="wijkgeo-close">' + T.table_close + "</button></div>" +
          '<p class="wijkgeo-desc">' + T.table_help + "</p><table></table>";
        map.getContainer().appendChild(table.box);
        L.DomEvent.disableClickPropagation(table.box);
        L.DomEvent.disableScrollPropagation(table.box);
        table.box.addEventListener("click", function (e) {
          var t = e.target.closest ? e.target.closest("button") : null;
          if (!t) return;
          if (t.classList.contains("wijkgeo-close")) { openTable(false); return; }
          var key = t.getAttribute("data-wijkgeo-sort");
          if (key) {
            table.asc = table.sort === key ? !table.asc : key === "name";
            table.sort = key; fillTable();
            var again = table.box.querySelector('[data-wijkgeo-sort="' + key + '"]');
            if (again) again.focus();
            return;
          }
          var i = t.getAttribute("data-wijkgeo-buurt");
          if (i === null) return;
          /* on a phone the table covers the map: it steps aside for the buurt and its popup,
             whose close button takes the focus ("Toon als tabel" brings the table back) */
          var small = narrow();
          if (small) {
            table.box.hidden = true;
            if (tableButton) tableButton.setAttribute("aria-expanded", "false");
          }
          ctx.select(+i, null, true);
          var pe = small && ctx.popup && ctx.popup.getElement();
          var closer = pe && pe.querySelector(".leaflet-popup-close-button");
          if (closer) closer.focus();
        });
        table.box.addEventListener("keydown", function (e) {
          if (e.key === "Escape") { openTable(false); }
        });
      }
      table.box.hidden = !open;
      if (tableButton) tableButton.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) { fillTable(); table.box.querySelector(".wijkgeo-close").focus(); }
      else if (tableButton) tableButton.focus();
    }
    var tableButton = null;
    if (panel && T.table_button) {
      tableButton = document.createElement("button");
      tableButton.type = "button";
      tableButton.className = "wijkgeo-tablebtn";
      tableButton.setAttribute("aria-expanded", "false");
      tableButton.setAttribute("aria-controls", "wijkgeo-table");
      tableButton.textContent = T.table_button;
      var holder = panel.querySelector(".wijkgeo-panel-body") || panel;
      holder.appendChild(tableButton);
      tableButton.addEventListener("click", function () { openTable(!table.box || table.box.hidden); });
    }
    ctx.openTable = openTable; ctx.fillTable = fillTable;

    /* "Gebied: buurten | wijken" in the panel when the payload has wijk values */
    var areaBoxes = null;
    if (panel && area && T.area_label) {
      var fs = document.createElement("fieldset");
      fs.className = "wijkgeo-area";
      fs.innerHTML = "<legend>" + T.area_label + "</legend>" +
        '<label class="wijkgeo-choice"><input type="radio" name="wijkgeo-gebied" value="buurt" checked>' + T.area_buurt + "</label>" +
        '<label class="wijkgeo-choice"><input type="radio" name="wijkgeo-gebied" value="wijk">' + T.area_wijk + "</label>";
      var modeBox = panel.querySelector("input[name=" + data.ids.mode + "]");
      var after = modeBox ? modeBox.closest("fieldset") : null;
      if (after && after.parentNode) after.parentNode.insertBefore(fs, after.nextSibling);
      else (panel.querySelector(".wijkgeo-panel-body") || panel).appendChild(fs);
      areaBoxes = [].slice.call(fs.querySelectorAll("input"));
      areaBoxes.forEach(function (r) {
        r.addEventListener("change", function () {
          if (!r.checked) return;
          state.area = r.value;
          peerModeLabel();
          recolour(); writeHash();
        });
      });
    }

    /* printing: the print stylesheet (engine.css) hides the controls and gives the map an
       A4 landscape page; here the map takes that size and shows the whole gemeente */
    var before = null;
    function printView() {
      if (before === null) before = {center: map.getCenter(), zoom: map.getZoom()};
      map.invalidateSize({animate: false});
      if (ctx.features.length) {
        map.fitBounds(L.featureGroup(ctx.features).getBounds(), {padding: [8, 8], animate: false});
      }
    }
    function screenView() {
      if (before === null) return;
      map.invalidateSize({animate: false});
      map.setView(before.center, before.zoom, {animate: false});
      before = null;
    }
    window.addEventListener("beforeprint", printView);
    window.addEventListener("afterprint", screenView);
    if (window.matchMedia) {
      var pm = window.matchMedia("print");
      var onPrint = function (e) { if (e.matches) printView(); else screenView(); };
      if (pm.addEventListener) pm.addEventListener("change", onPrint);
      else if (pm.addListener) pm.addListener(onPrint);
    }
    ctx.printView = printView; ctx.screenView = screenView;

    ctx.byKey = byKey; ctx.order = order; ctx.state = state; ctx.valueText = valueText;
    ctx.layers = layers; ctx.byCode = byCode; ctx.writeHash = writeHash; ctx.narrow = narrow;
    ctx.panel = panel; ctx.setLayer = setLayer;
    ctx.ext = ext; ctx.values0 = values0; ctx.recolour = recolour; ctx.classOf = classOf;
    ctx.fmtValue = fmtValue; ctx.fmtDiff = fmtDiff; ctx.n = n; ctx.values = values;
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
