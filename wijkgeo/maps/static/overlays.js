/* wijkgeo koppelkansen map (MIT, part of wijkgeo): the layer types of wijkgeo/maps/overlays.py
 * (points with a grid clusterer, etw, shapes with a year filter, grid, kansen) and the
 * extensions of an Atlas map: search, fullscreen, sources footer and "Check deze plek".
 *
 * Every string from data arrives HTML-escaped by wijkgeo/maps/escape.py; this file only
 * concatenates those strings and numbers. No template literals, no eval. Plain text for the
 * search is recovered through a <textarea> (RCDATA: entities decode, no tags are parsed).
 */
(function () {
  "use strict";
  var wijkgeo = window.wijkgeo = window.wijkgeo || {};
  wijkgeo.layerTypes = wijkgeo.layerTypes || {};
  wijkgeo.extensions = wijkgeo.extensions || [];

  /* overlay popups stay clear of the (folded) panel at the top */
  var POPUP = {className: "wijkgeo-popup-box", autoPanPaddingTopLeft: [10, 100],
               autoPanPaddingBottomRight: [50, 10]};
  /* panes between the buurten (overlayPane, 400) and the markers (600) */
  var PANES = {grid: 405, kans: 420, etw: 430, shapes: 440, dots: 450};
  function pane(ctx, name) {
    var id = "wijkgeo-" + name;
    if (!ctx.map.getPane(id)) ctx.map.createPane(id).style.zIndex = PANES[name];
    ctx.renderers = ctx.renderers || {};
    if (!ctx.renderers[name]) ctx.renderers[name] = L.svg({pane: id, padding: 0.5});
    return {pane: id, renderer: ctx.renderers[name]};
  }

  function points(ctx, s, q) {
    var f = ctx.vlq(s), out = [], a = 0, b = 0;
    for (var i = 0; i + 1 < f.length; i += 2) { a += f[i]; b += f[i + 1]; out.push(L.latLng(a * q, b * q)); }
    return out;
  }
  function shape(ctx, g, q) {
    var out = {lines: [], polys: []};
    if (!g) return out;
    (g.l || []).forEach(function (s) { out.lines.push(points(ctx, s, q)); });
    (g.p || []).forEach(function (rings) {
      out.polys.push(rings.map(function (s) { return points(ctx, s, q); }));
    });
    return out;
  }
  function list(items, T) {
    if (!items || !items.length) return "<div>" + T.check_none + "</div>";
    return "<ul>" + items.map(function (x) { return "<li>" + x + "</li>"; }).join("") + "</ul>";
  }
  function head(name, sub) {
    return '<div class="wijkgeo-naam">' + name + "</div>" + (sub ? '<div class="wijkgeo-code">' + sub + "</div>" : "");
  }
  /* the centroid of a polygon's first outer ring (getCenter needs the layer on the map) */
  function centreOf(poly) {
    var r = poly.getLatLngs();
    while (r.length && !(r[0] instanceof L.LatLng)) r = r[0];
    return L.PolyUtil.polygonCenter(r, L.CRS.EPSG3857);
  }
  function checkButton(ctx, i) {
    return '<button type="button" class="wijkgeo-checkbtn" data-wijkgeo-check="' + i + '">' + ctx.T.check_button + "</button>";
  }

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
          return spec.names[j] + ' <span class="wijkgeo-code">' + c.label + (spec.info[j] ? " · " + spec.info[j] : "") + "</span>";
        }), T);
      }};
  };

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
          return it.name + ' <span class="wijkgeo-code">' + spec.cats[it.cat].label + " · " + years(it) + (it.owner ? " · " + it.owner : "") + "</span>";
        }), T);
      }
    };
  };

  /* ---------------------------------------------------------------- 500 m grid */
  wijkgeo.layerTypes.grid = function (ctx, spec) {
    var group = L.featureGroup(), p = pane(ctx, "grid"), cells = [], current = spec.vars[0], cache = {};
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
    function valueText(v, j) {
      var x = vals(v)[j];
      if (x === null) return ctx.T.missing;
      var n = ctx.fmtNum(x / Math.pow(10, v.dec), v.dec);
      return v.unit === "%" ? n + "%" : n + " " + v.unit;
    }
    function restyle() {
      var a = vals(current);
      cells.forEach(function (c, j) {
        var k = classOf(current, a[j]);
        c.setStyle({fillColor: k < 0 ? spec.missing_color : current.colors[k]});
      });
    }
    group.bindTooltip(function (layer) {
      var j = layer._wkCell;
      return head(current.label + ": <b>" + valueText(current, j) + "</b>", spec.codes[j] + " · " + current.source);
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
    return {
      layer: group,
      legend: function () {
        var opts = spec.vars.map(function (v) {
          return '<option value="' + v.key + '"' + (v === current ? " selected" : "") + ">" + v.label + " — " + v.source + "</option>";
        }).join("");
        return '<label class="wijkgeo-field">' + spec.choose + '<select data-wijkgeo-grid>' + opts + "</select></label>" + current.legend;
      },
      bindLegend: function (el) {
        var sel = el && el.querySelector("[data-wijkgeo-grid]");
        if (!sel) return;
        sel.addEventListener("change", function () { choose(sel.value); ctx.refreshLegends(); ctx.writeHash(); });
      },
      choose: function (k) { choose(k); ctx.refreshLegends(); },
      current: function () { return current.key; }
    };
  };

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

  /* ---------------------------------------------------------------- extensions */
  function plain(s) { var t = document.createElement("textarea"); t.innerHTML = s; return t.value; }
  function norm(s) { return plain(s).toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, ""); }

  function search(ctx) {
    var T = ctx.T, data = ctx.data, panel = ctx.panel;
    if (!panel) return;
    var entries = [], seen = {};
    data.codes.forEach(function (code, i) {
      entries.push({kind: "buurt", name: data.names[i], code: code, i: i, key: norm(data.names[i]) + " " + norm(code)});
    });
    if (data.wijkcodes) {
      data.wijkcodes.forEach(function (code, i) {
        if (seen[code] !== undefined) { entries[seen[code]].members.push(i); return; }
        var name = data.wijken ? data.wijken[i] : code;
        seen[code] = entries.length;
        entries.push({kind: "wijk", name: name, code: code, members: [i], key: norm(name) + " " + norm(code)});
      });
    }
    /* an ARIA combobox: type, then ArrowDown/ArrowUp through the suggestions and Enter to
       choose the highlighted one (the first when none is); Escape clears */
    var box = document.createElement("div");
    box.className = "wijkgeo-search";
    box.innerHTML = '<label class="wijkgeo-field" id="wijkgeo-search-label" for="wijkgeo-search">' + T.search_label + '</label>' +
      '<input id="wijkgeo-search" type="search" autocomplete="off" role="combobox" aria-autocomplete="list" ' +
      'aria-expanded="false" aria-controls="wijkgeo-search-results" placeholder="' + T.search_placeholder + '">' +
      '<ul id="wijkgeo-search-results" class="wijkgeo-results" role="listbox" aria-labelledby="wijkgeo-search-label"></ul>' +
      '<div class="wijkgeo-sr" role="status" aria-live="polite"></div>';
    var summary = panel.querySelector("summary");
    summary.parentNode.insertBefore(box, summary.nextSibling);
    var input = box.querySelector("input"), out = box.querySelector("ul"), found = [], active = -1;
    var status = box.querySelector(".wijkgeo-sr");
    function close() {
      out.innerHTML = ""; found = []; active = -1;
      input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant");
    }
    function go(e) {
      close(); input.value = "";
      if (e.kind === "buurt") { ctx.select(e.i, null, true); return; }
      ctx.map.closePopup(); /* the popup of an earlier choice does not stay open */
      var b = null;
      e.members.forEach(function (i) { var fb = ctx.features[i].getBounds(); b = b ? b.extend(fb) : L.latLngBounds(fb.getSouthWest(), fb.getNorthEast()); });
      if (ctx.fit) ctx.fit(b); else ctx.map.fitBounds(b, {padding: [30, 30], animate: false});
      status.textContent = T.search_wijk + " " + plain(e.name);
    }
    function mark(k) {
      active = k;
      var items = out.querySelectorAll("li[data-k]");
      for (var j = 0; j < items.length; j++) {
        var on = j === k;
        items[j].setAttribute("aria-selected", on ? "true" : "false");
        items[j].classList.toggle("wijkgeo-active", on);
      }
      if (k >= 0 && items[k]) {
        input.setAttribute("aria-activedescendant", items[k].id);
        if (items[k].scrollIntoView) items[k].scrollIntoView({block: "nearest"});
      } else input.removeAttribute("aria-activedescendant");
    }
    input.addEventListener("input", function () {
      var q = norm(input.value.trim());
      found = []; active = -1;
      if (q) {
        entries.forEach(function (e) { if (e.key.indexOf(q) >= 0) found.push(e); });
        found.sort(function (a, b) { return (a.key.indexOf(q) === 0 ? 0 : 1) - (b.key.indexOf(q) === 0 ? 0 : 1) || (a.kind === "wijk" ? -1 : 1) - (b.kind === "wijk" ? -1 : 1); });
        found = found.slice(0, 8);
      }
      out.innerHTML = !q ? "" : found.length ? found.map(function (e, k) {
        return '<li role="option" id="wijkgeo-opt-' + k + '" aria-selected="false" data-k="' + k + '"><b>' + e.name + '</b> <span class="wijkgeo-code">' +
          (e.kind === "wijk" ? T.search_wijk : T.search_buurt) + " " + e.code + "</span></li>";
      }).join("") : '<li role="option" aria-disabled="true" aria-selected="false" class="wijkgeo-code">' + T.search_none + "</li>";
      input.setAttribute("aria-expanded", q ? "true" : "false");
      input.removeAttribute("aria-activedescendant");
      status.textContent = !q ? "" : found.length ? found.length + " " + T.search_results : T.search_none;
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown" && found.length) { ev.preventDefault(); mark(active < found.length - 1 ? active + 1 : 0); }
      else if (ev.key === "ArrowUp" && found.length) { ev.preventDefault(); mark(active > 0 ? active - 1 : found.length - 1); }
      else if (ev.key === "Enter" && found.length) { ev.preventDefault(); go(found[active >= 0 ? active : 0]); }
      else if (ev.key === "Escape") { close(); }
    });
    out.addEventListener("click", function (ev) {
      var li = ev.target.closest("li[data-k]");
      if (li) go(found[+li.getAttribute("data-k")]);
    });
  }

  function fullscreen(ctx) {
    var el = document.documentElement;
    if (!el.requestFullscreen) return;
    var Control = L.Control.extend({
      options: {position: "topright"},
      onAdd: function () {
        var div = L.DomUtil.create("div", "leaflet-bar wijkgeo-fullscreen");
        div.innerHTML = '<a href="#" role="button" title="' + ctx.T.fullscreen + '" aria-label="' + ctx.T.fullscreen + '">' +
          '<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" style="vertical-align:-3px"><path d="M1 5V1h4M11 1h4v4M15 11v4h-4M5 15H1v-4" fill="none" stroke="#333" stroke-width="2"/></svg></a>';
        L.DomEvent.on(div.firstChild, "click", function (e) {
          L.DomEvent.preventDefault(e); L.DomEvent.stopPropagation(e);
          if (document.fullscreenElement) document.exitFullscreen(); else el.requestFullscreen();
        });
        return div;
      }
    });
    new Control().addTo(ctx.map);
  }

  function footer(ctx) {
    if (!ctx.data.footer) return;
    var Control = L.Control.extend({
      options: {position: "bottomleft"},
      onAdd: function () {
        var d = L.DomUtil.create("details", "wijkgeo-box wijkgeo-footer");
        d.id = "wijkgeo-footer";
        d.innerHTML = ctx.data.footer;
        L.DomEvent.disableClickPropagation(d);
        return d;
      }
    });
    new Control().addTo(ctx.map);
  }

  function check(ctx) {
    var T = ctx.T, data = ctx.data;
    var box = document.createElement("div");
    box.id = "wijkgeo-check";
    box.className = "wijkgeo-box wijkgeo-check";
    box.style.display = "none";
    ctx.map.getContainer().parentNode.appendChild(box);
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    function open(i) {
      var rows = ctx.order.map(function (k) { return ctx.byKey[k]; }).filter(function (ind) { return ind.ok; }).map(function (ind) {
        return "<tr><th>" + ind.label + "</th><td>" + ctx.valueText(ind, i) + "</td></tr>";
      }).join("");
      var html = '<button type="button" class="wijkgeo-close" title="' + T.check_close + '" aria-label="' + T.check_close + '">×</button>' +
        '<div class="wijkgeo-ind">' + T.check_title + "</div>" + head(data.names[i], data.codes[i] + (data.wijken ? " · " + T.popup_wijk + " " + data.wijken[i] : ""));
      /* the koppelkansen first (what the map is about), then the other layers in their order */
      var specs = data.layers.filter(function (s) { return s.type === "kansen"; })
        .concat(data.layers.filter(function (s) { return s.type !== "kansen"; }));
      specs.forEach(function (spec) {
        var l = ctx.layers[spec.id];
        if (l && l.facts) html += '<section data-wijkgeo-facts="' + spec.id + '"><h3>' + spec.label + "</h3>" + l.facts(i) + "</section>";
      });
      html += '<section data-wijkgeo-facts="indicatoren"><h3>' + T.check_indicators + '</h3><table class="wijkgeo-facts">' + rows + "</table></section>";
      box.innerHTML = html;
      box.style.display = "";
      box.scrollTop = 0;
      if (ctx.narrow() && ctx.panel) ctx.panel.open = false;
      box.querySelector(".wijkgeo-close").addEventListener("click", function () { box.style.display = "none"; });
    }
    ctx.openCheck = open;
    document.addEventListener("click", function (e) {
      var b = e.target.closest && e.target.closest("[data-wijkgeo-check]");
      if (!b) return;
      e.preventDefault();
      var i = +b.getAttribute("data-wijkgeo-check");
      ctx.map.closePopup();
      open(i);
    });
    ctx.hooks.popup.push(function (i) { return checkButton(ctx, i); });
  }

  /* grijs or pastel: the tile layer keeps its attribution, only its URL changes */
  function basemaps(ctx) {
    var b = ctx.data.basemaps, tiles = null;
    if (!b || !ctx.panel) return;
    ctx.map.eachLayer(function (l) { if (l instanceof L.TileLayer) tiles = l; });
    if (!tiles) return;
    var names = Object.keys(b.urls), current = b.current;
    var fs = document.createElement("fieldset");
    fs.innerHTML = "<legend>" + ctx.T.basemap + "</legend>" + names.map(function (n) {
      return '<label class="wijkgeo-choice"><input type="radio" name="wijkgeo-basemap" value="' + n + '"' +
        (n === current ? " checked" : "") + ">" + n + "</label>";
    }).join("");
    ctx.panel.appendChild(fs);
    function set(n) {
      if (!b.urls[n] || n === current) return;
      current = n;
      tiles.setUrl(b.urls[n]);
      fs.querySelectorAll("input").forEach(function (r) { r.checked = r.value === n; });
    }
    fs.addEventListener("change", function (e) { set(e.target.value); ctx.writeHash(); });
    ctx.hooks.hash.push({
      write: function () { return current === b.current ? null : "achtergrond=" + current; },
      read: function (h) { set(h.achtergrond && b.urls[h.achtergrond] ? h.achtergrond : b.current); }
    });
  }

  wijkgeo.extensions.push(search, fullscreen, footer, check, basemaps);
})();
