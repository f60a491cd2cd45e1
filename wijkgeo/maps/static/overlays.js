/* wijkgeo koppelkansen map (MIT, part of wijkgeo): what the layer types share (wijkgeo.ov;
 * the types themselves are one script each in static/layers/, beside wijkgeo/maps/layers/)
 * and the extensions of an Atlas map: search, fullscreen, sources footer and "Check deze plek".
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
  /* "wat er al is" lists what lies in the buurt or near it (the one rule, wijkgeo.facts):
     mark the near ones */
  function nearMark(spec, i, j) {
    return spec.near && (spec.near[i] || []).indexOf(j) >= 0 ? " · " + spec.near_label : "";
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
  wijkgeo.ov = {POPUP: POPUP, pane: pane, points: points, shape: shape, list: list, nearMark: nearMark,
    head: head, centreOf: centreOf, checkButton: checkButton, plain: plain, norm: norm};
})();
