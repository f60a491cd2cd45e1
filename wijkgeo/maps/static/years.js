/* wijkgeo years: a year switch and the "verandering sinds JJJJ" view.
 *
 * Loaded only when the map carries a series (data.jaren, see wijkgeo/maps/years.py): every
 * indicator of every year on the newest boundaries, earlier years as steps from the next
 * year's values (the newest year is the map's own), one provenance code per area and year.
 * A change counts as meaningful as the registry says (rounding + the indicator's noise +
 * for a share what rounding its counts to 5 allows); the rest gets its own grey class.
 * Year and base year are kept in the link (jaar=, sinds=); popups name the provenance.
 */
(function () {
  "use strict";
  var wijkgeo = window.wijkgeo = window.wijkgeo || {};
  /* the link keeps the year shown and the base year of the change view (checked keys only) */
  wijkgeo.hashKeys = wijkgeo.hashKeys || {};
  wijkgeo.hashKeys.jaar = /^[0-9]{4}$/;
  wijkgeo.hashKeys.sinds = /^[0-9]{4}$/;
  (wijkgeo.extensions = wijkgeo.extensions || []).push(function (ctx) {
    var J = ctx.data.jaren, T = ctx.T, state = ctx.state, n = ctx.n, ext = ctx.ext;
    if (!J || J.jaren.length < 2) return;
    var JT = J.tekst, newest = J.grenzen, yearCache = {}, provCache = {}, cache = {};
    state.year = null; state.since = J.jaren[0];

    function yearValues(ind) {
      if (!ind || !J.waarden[ind.key]) return null;
      if (!yearCache[ind.key]) {
        var str = J.waarden[ind.key], out = {}, next = null, ys = J.jaren, y, j, steps;
        for (y = ys.length - 1; y >= 0; y--) {
          if (str[ys[y]] === undefined && ys[y] === newest) {
            next = out[newest] = ctx.values0(ind).ints; /* the map's own values */
            continue;
          }
          steps = ctx.vlq(str[ys[y]]);
          for (j = 0; j < steps.length; j++) {
            if (steps[j] === null) continue;
            if (next === null) steps[j] += +str.o;
            else if (next[j] !== null) steps[j] += next[j];
          }
          out[ys[y]] = next = steps;
        }
        yearCache[ind.key] = out;
      }
      return yearCache[ind.key];
    }
    function provenance(year) {
      if (!J.herkomst[year]) return null;
      if (!provCache[year]) provCache[year] = ctx.vlq(J.herkomst[year]);
      return provCache[year];
    }
    function label(year, i) {
      var p = provenance(year);
      return p && p[i] !== null && p[i] !== undefined ? JT.herkomsten[J.herkomstcodes[p[i]]] : null;
    }
    function shown() { return state.year && state.year !== newest && state.mode === "waarde" ? state.year : null; }

    ext.values = function (ind) {
      var y = shown(), yv = y ? yearValues(ind) : null;
      if (!yv || !yv[y]) return null;
      var key = ind.key + "@" + y;
      if (!cache[key]) {
        /* the payload holds no per-value reason for earlier years: a missing value is
           "geen gegevens" (the area's provenance is its own popup row, not a reason) */
        var reason = new Array(n);
        for (var i = 0; i < n; i++) if (yv[y][i] === null) reason[i] = T.missing;
        cache[key] = {ints: yv[y], prev: null, scale: Math.pow(10, ind.dec), reason: reason, ranks: null};
      }
      return cache[key];
    };

    function change(ind, i, since) {
      var yv = yearValues(ind);
      since = since || state.since;
      if (!yv || !yv[since] || !yv[newest]) return null;
      var a = yv[since][i], b = yv[newest][i];
      if (a === null || b === null || a === undefined || b === undefined) return null;
      var s = Math.pow(10, ind.dec), d = (b - a) / s, m = J.betekenisvol[ind.key] || {};
      var allow = (m.afronding || 0) + (m.ruis || 0) * Math.max(Math.abs(a), Math.abs(b)) / s;
      if (m.noemer) {
        var nv = yearValues(ctx.byKey[m.noemer]);
        var den = nv && nv[since] ? Math.min(nv[since][i], nv[newest][i]) : null;
        allow += den > 0 ? 2 * m.schaal * J.afronding_tellingen / den : Infinity;
      }
      return {d: d, meaningful: Math.abs(d) > allow, from: a / s, to: b / s};
    }
    /* diverging colours by the indicator's direction (green: better), 3 classes a side */
    function palette(ind) {
      var p = J.kleuren[ind.dir === "hoger_is_beter" ? "beter" : ind.dir === "hoger_is_slechter" ? "slechter" : "neutraal"];
      return p || ind.dcolors;
    }
    /* the colours of the classes there are (ties can leave fewer): the darkest ones, never
       the palette's pale middle */
    ext.colors = function (ind) {
      var pal = palette(ind), mid = (pal.length - 1) / 2, k = bins(ind).length + 1, out = [], j;
      for (j = 0; j < k; j++) {
        out[k - 1 - j] = pal[mid - 1 - j - (mid - k)];
        out[k + 1 + j] = pal[mid + 1 + j + (mid - k)];
      }
      out[k] = J.grijs;
      return out;
    };
    function bins(ind) {
      var key = ind.key + "#" + state.since;
      if (!cache[key]) {
        var abs = [], k = Math.max(1, (palette(ind).length - 1) / 2), out = [], i, j, c;
        for (i = 0; i < n; i++) { c = change(ind, i); if (c && c.meaningful) abs.push(Math.abs(c.d)); }
        abs.sort(function (x, y) { return x - y; });
        for (j = 1; j < k; j++) {
          var q = abs.length ? abs[Math.floor(j * abs.length / k)] : 0;
          if (q > 0 && (!out.length || q > out[out.length - 1])) out.push(q); /* no empty class */
        }
        cache[key] = out;
      }
      return cache[key];
    }
    ext.modes.push("verandering");
    ext.grey = J.grijs;
    ext.classOf = function (ind, i) {
      var c = change(ind, i), b, k, j;
      if (!c) return -1;
      if (!c.meaningful) return -2;
      b = bins(ind); k = b.length + 1;
      for (j = 0; j < b.length && Math.abs(c.d) > b[j]; j++);
      return c.d > 0 ? k + 1 + j : k - 1 - j;
    };
    /* an earlier year: the value legend's classes (the newest year's, kept fixed over the
       years so a colour means the same value in every year, and the legend says so), each
       labelled with the range of that year's values in it and counted over the values drawn,
       its missing rows by that year's reasons */
    function yearLegend(ind, y) {
      var box = document.createElement("div"), k = ind.bins.length, counts = [], miss = {}, seen = [];
      var lo = [], hi = [];
      box.innerHTML = ind.legend;
      var trs = box.querySelectorAll("tr"), v = ctx.values(ind), i, c, why, text, x;
      if (trs.length <= k) return null;
      for (i = 0; i < k; i++) { counts[i] = 0; lo[i] = hi[i] = null; }
      for (i = 0; i < n; i++) {
        c = ctx.classOf(ind, i);
        if (c >= 0) {
          counts[c] += 1; x = v.ints[i];
          if (lo[c] === null || x < lo[c]) lo[c] = x;
          if (hi[c] === null || x > hi[c]) hi[c] = x;
          continue;
        }
        why = v.reason[i] || T.missing;
        text = why === T.missing ? T.missing : T.missing + " (" + why + ")";
        if (!(text in miss)) { miss[text] = 0; seen.push([text, why]); }
        miss[text] += 1;
      }
      for (i = 0; i < k; i++) {
        trs[i].querySelector(".wijkgeo-n").textContent = ctx.fmtNum(counts[i], 0);
        var a = lo[i] === null ? null : ctx.fmtNum(lo[i] / v.scale, ind.dec);
        var b = hi[i] === null ? null : ctx.fmtNum(hi[i] / v.scale, ind.dec);
        trs[i].children[1].textContent = a === null ? JT.lege_klasse : a === b ? a : a + " \u2013 " + b;
      }
      var tmpl = trs[k], table = tmpl.parentNode;
      for (i = k; i < trs.length; i++) table.removeChild(trs[i]);
      if (!seen.length) { miss[T.missing] = 0; seen.push([T.missing, T.missing]); }
      seen.forEach(function (m) {
        var tr = tmpl.cloneNode(true), small = ctx.data.small_color &&
          (ctx.data.small_reasons || []).indexOf(m[1]) >= 0;
        tr.querySelector(".wijkgeo-swatch").style.background = small ? ctx.data.small_color : ctx.data.missing_color;
        tr.children[1].textContent = m[0];
        tr.querySelector(".wijkgeo-n").textContent = ctx.fmtNum(miss[m[0]], 0);
        table.appendChild(tr);
      });
      var unit = box.querySelector(".wijkgeo-unit"), where = y + " (" + JT.grenzen.replace("JJJJ", newest) + ")";
      var fixed = JT.klassen_vast.replace("JJJJ", newest);
      if (unit) unit.textContent += " \u00b7 " + where + " \u00b7 " + fixed;
      else box.querySelector("table").insertAdjacentHTML("beforebegin", '<div class="wijkgeo-unit"></div>');
      if (!unit) box.querySelector(".wijkgeo-unit").textContent = where + " \u00b7 " + fixed;
      return box.innerHTML;
    }
    ext.legend = function (ind) {
      var y = shown();
      if (y && state.mode === "waarde") return J.waarden[ind.key] ? yearLegend(ind, y) : null;
      if (state.mode !== "verandering") return null;
      var b = bins(ind), k = b.length + 1, rows = [], counts = {}, i, j;
      for (i = 0; i < n; i++) { var c0 = ctx.classOf(ind, i); counts[c0] = (counts[c0] || 0) + 1; }
      function range(j, sign) {
        var lo = j ? ctx.fmtNum(b[j - 1], ind.dec) : null, hi = j < k - 1 ? ctx.fmtNum(b[j], ind.dec) : null;
        if (lo === null && hi === null) return sign;
        if (lo === null) return JT.tot + " " + sign + hi;
        return hi === null ? "\u2265 " + sign + lo : sign + lo + " \u2013 " + sign + hi;
      }
      function tr(color, text, cls) {
        return '<tr><td><span class="wijkgeo-swatch" style="background:' + color + '"></span></td><td>' +
          text + '</td><td class="wijkgeo-n">' + (counts[cls] || 0) + "</td></tr>";
      }
      var pal = ext.colors(ind);
      for (j = k - 1; j >= 0; j--) rows.push(tr(pal[k + 1 + j], range(j, "+") + " " + JT.stijging, k + 1 + j));
      rows.push(tr(J.grijs, JT.geen_betekenis, -2));
      for (j = 0; j < k; j++) rows.push(tr(pal[k - 1 - j], range(j, "\u2212") + " " + JT.daling, k - 1 - j));
      rows.push(tr(ctx.data.missing_color, T.missing, -1));
      return '<summary class="wijkgeo-head">' + ind.label + '</summary><div class="wijkgeo-unit">' +
        JT.weergave.replace("JJJJ", state.since) + " (" + JT.grenzen.replace("JJJJ", newest) +
        ")</div><table>" + rows.join("") + "</table>";
    };
    /* an earlier year: its value and where it comes from only (the gemeente, Nederland and
       the rank in the popup are of the newest year) */
    ext.popup = function (ind, i, row) {
      var y = shown();
      if (!y || !J.waarden[ind.key]) return null; /* not in the series (a model estimate) */
      var v = ext.values(ind), x = v ? v.ints[i] : null;
      var text = x === null || x === undefined ? (v && v.reason[i]) || T.missing : ctx.fmtValue(ind, x / v.scale);
      var html = row(T.popup_value + " " + y, "<b>" + text + "</b>");
      var p = label(y, i);
      return p ? html + row(JT.herkomst, p) : html;
    };
    /* the change since the year before the newest, from the series (carried across boundary
       changes, with its provenance) instead of the single-year comparison, which calls a
       changed buurt "niet te vergelijken"; the change view has its own row (ext.rows) */
    ext.change = function (ind, i, row) {
      if (state.mode === "verandering") return "";
      var prev = J.jaren[J.jaren.length - 2], c = change(ind, i, prev), title = T.popup_change + " " + prev;
      var html = row(title, c ? ctx.fmtDiff(ind, c.d, T) + " (" + ctx.fmtValue(ind, c.from) + ")" +
                     (c.meaningful ? "" : ", " + JT.geen_betekenis) : T.missing);
      var p = label(prev, i);
      return p ? html + row(JT.herkomst + " " + prev, p) : html;
    };
    ext.rows = function (ind, i, row) {
      var html = "", p = label(newest, i);
      if (p) html += row(JT.herkomst + " " + newest, p);
      if (state.mode === "verandering") {
        var c = change(ind, i), title = JT.weergave.replace("JJJJ", state.since);
        title = title.charAt(0).toUpperCase() + title.slice(1);
        html += row(title, c ? ctx.fmtDiff(ind, c.d, T) + " (" + ctx.fmtValue(ind, c.from) + " \u2192 " +
                    ctx.fmtValue(ind, c.to) + ")" + (c.meaningful ? "" : ", " + JT.geen_betekenis) : T.missing);
        var ps = label(state.since, i);
        if (ps) html += row(JT.herkomst + " " + state.since, ps);
      }
      return html;
    };

    /* the controls, beside the mode buttons */
    var radio = document.querySelector("input[name=" + ctx.data.ids.mode + "]");
    var box = document.createElement("div"), yearSel, sinceSel;
    function opts(ys) { return ys.map(function (y) { return '<option value="' + y + '">' + y + "</option>"; }).join(""); }
    box.className = "wijkgeo-jaren";
    box.innerHTML = "<label>" + JT.jaar + " <select data-wijkgeo-jaar>" + opts(J.jaren) + "</select></label> " +
      '<label><input type="radio" name="' + ctx.data.ids.mode + '" value="verandering"> ' + JT.verandering +
      " <select data-wijkgeo-sinds>" + opts(J.jaren.slice(0, -1)) + "</select></label>";
    (radio ? radio.parentNode.parentNode : ctx.map.getContainer()).appendChild(box);
    yearSel = box.querySelector("[data-wijkgeo-jaar]");
    sinceSel = box.querySelector("[data-wijkgeo-sinds]");
    ext.sync = function () {
      yearSel.value = String(shown() || newest);
      sinceSel.value = String(state.since);
      yearSel.disabled = state.mode === "verandering";
      box.querySelector("input[type=radio]").checked = state.mode === "verandering";
    };
    yearSel.addEventListener("change", function () {
      state.year = +yearSel.value === newest ? null : +yearSel.value;
      ctx.recolour(); ctx.writeHash();
    });
    sinceSel.addEventListener("change", function () {
      state.since = +sinceSel.value; state.mode = "verandering"; ctx.recolour(); ctx.writeHash();
    });
    box.querySelector("input[type=radio]").addEventListener("change", function (e) {
      if (e.target.checked) { state.mode = "verandering"; ctx.recolour(); ctx.writeHash(); }
    });
    ctx.hooks.hash.push({
      write: function () {
        if (state.mode === "verandering") return "sinds=" + state.since;
        return shown() ? "jaar=" + state.year : "";
      },
      read: function (h) {
        var y = +h.jaar, s = +h.sinds;
        state.year = J.jaren.indexOf(y) >= 0 && y !== newest ? y : null;
        if (J.jaren.indexOf(s) >= 0 && s !== newest) state.since = s;
      }
    });
  });
})();
