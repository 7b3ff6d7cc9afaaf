/* agroplan map: draws a plan from the JSON embedded in the page onto a Leaflet map made
 * by folium, with a time slider by quarter, a KPI panel and a legend. Loads nothing.
 * The legend and the KPI panel are panels of the map shell (shell.js), which folds them
 * on small screens, fits the first view and lays the map out for print.
 * The words are in the page's <template> elements (translated when the page was made);
 * this file copies them and fills their data-v slots with text, never with HTML. Names in
 * the data are plain text; popups are HTML the page's templates escaped. */
(function (global) {
  'use strict';

  // numbers as the page's locale writes them (separators and dollar patterns from Babel)
  var NUM = { group: ',', decimal: '.', usd: { bn: '${n}B', m: '${n}M', plain: '${n}' } };

  function group(text) { return text.replace(/\B(?=(\d{3})+(?!\d))/g, NUM.group); }
  function fmt(n) {
    var r = Math.round(n);
    return (r < 0 ? '-' : '') + group(String(Math.abs(r)));
  }
  function scaled(v, digits) {
    var text = Math.abs(v).toFixed(digits).replace(/\.?0+$/, '');
    var parts = text.split('.');
    return group(parts[0]) + (parts.length > 1 ? NUM.decimal + parts[1] : '');
  }
  function usd(v) {
    var a = Math.abs(v), sign = v < 0 ? '-' : '', p = NUM.usd;
    if (a >= 999950000) { return sign + p.bn.replace('{n}', scaled(a / 1e9, 2)); }
    if (a >= 999950) { return sign + p.m.replace('{n}', scaled(a / 1e6, 1)); }
    return sign + p.plain.replace('{n}', fmt(a));
  }

  // a copy of a <template>'s content, its data-v slots filled with text
  function fromTemplate(id, values) {
    var node = document.getElementById(id).content.cloneNode(true);
    var holder = document.createElement('div');
    holder.appendChild(node);
    fill(holder, values || {});
    return holder.children.length === 1 ? holder.firstElementChild : holder;
  }
  function fill(root, values) {
    Object.keys(values).forEach(function (key) {
      root.querySelectorAll('[data-v="' + key + '"]').forEach(function (slot) {
        slot.textContent = values[key];
      });
    });
    return root;
  }
  function text(value, className) {
    var span = document.createElement('span');
    if (className) { span.className = className; }
    span.textContent = value;
    return span;
  }

  var METRICS = {
    families: { unit: '', colors: ['#f7fcf5', '#c7e9c0', '#74c476', '#31a354', '#006d2c'],
                value: function (p, t) { return p.families[t]; } },
    herd: { unit: '', colors: ['#f7fbff', '#c6dbef', '#6baed6', '#2171b5', '#08306b'],
            value: function (p, t) { return p.herd[t]; } },
    spend: { unit: 'usd', colors: ['#fff5eb', '#fdd0a2', '#fd8d3c', '#d94801', '#7f2704'],
             value: function (p) { return p.spend; } }
  };

  var BASEMAP = {
    neighbour: { color: '#bdb8ad', weight: 0.8, fillColor: '#e4e1da', fillOpacity: 1 },
    az_district: { color: '#c9c2b0', weight: 0.6, fillColor: '#f3efe4', fillOpacity: 1 },
    lake: { color: '#7fb2d9', weight: 0.6, fillColor: '#b9d7ee', fillOpacity: 1 },
    river: { color: '#6aa5d6', weight: 1.4, opacity: 0.9, fill: false }
  };

  function maxOf(items, get) {
    var m = 0;
    items.forEach(function (x) { var v = get(x); if (v > m) { m = v; } });
    return m;
  }

  function classes(max) {
    // five equal classes over 0..max, rounded to two significant digits
    var out = [];
    for (var i = 1; i <= 4; i++) {
      var v = max * i / 5;
      var p = Math.pow(10, Math.max(0, Math.floor(Math.log10(Math.max(v, 1))) - 1));
      out.push(Math.round(v / p) * p);
    }
    return out;
  }

  function word(key) {
    return document.getElementById('ap-words').content.querySelector('[data-w="' + key + '"]').textContent;
  }

  function control(position, className, content) {
    var C = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create('div', 'ap-control ' + className);
        div.appendChild(content);
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      }
    });
    return new C({ position: position });
  }

  global.agroplanMap = function (map, groups, data) {
    NUM = data.numbers;
    var periods = data.period_labels, T = periods.length;
    var state = { t: T - 1, metric: 'families', timer: null };
    var updaters = [];

    map.createPane('ap-basemap').style.zIndex = 150;
    map.getPane('ap-basemap').style.pointerEvents = 'none';
    map.createPane('ap-districts').style.zIndex = 350;
    map.createPane('ap-labels').style.zIndex = 390;  // district names, under the plan

    L.geoJSON(data.basemap, {
      pane: 'ap-basemap', interactive: false,
      style: function (f) { return BASEMAP[f.properties.kind] || BASEMAP.az_district; }
    }).addTo(groups.basemap);

    // districts choropleth
    var dmax = {};
    Object.keys(METRICS).forEach(function (k) {
      dmax[k] = maxOf(data.districts.features, function (f) {
        return Math.max.apply(null, k === 'spend' ? [f.properties.spend] : f.properties[k]);
      });
    });
    function colour(value) {
      var m = METRICS[state.metric], br = classes(dmax[state.metric]);
      var i = 0;
      while (i < br.length && value > br[i]) { i++; }
      return value > 0 ? m.colors[i] : '#ffffff';
    }
    var districts = L.geoJSON(data.districts, {
      pane: 'ap-districts',
      style: function () { return { color: '#555', weight: 1.2, fillOpacity: 0.7 }; }
    }).addTo(groups.districts);
    districts.eachLayer(function (layer) {
      var p = layer.feature.properties;
      layer.bindTooltip(function () {
        var t = state.t;
        return fromTemplate('ap-tip-district', { name: p.name, quarter: periods[t],
          families: fmt(p.families[t]), herd: fmt(p.herd[t]), ha: fmt(p.cleared[t]),
          spend: usd(p.spend) });
      }, { sticky: true });
    });
    data.districts.features.forEach(function (f) {
      L.marker(f.properties.label_ll, { pane: 'ap-labels', interactive: false, keyboard: false,
        icon: L.divIcon({ className: 'ap-dlabel', iconSize: null, html: text(f.properties.label) }) })
        .addTo(groups.districts);
    });
    updaters.push(function (t) {
      districts.eachLayer(function (layer) {
        layer.setStyle({ fillColor: colour(METRICS[state.metric].value(layer.feature.properties, t)) });
      });
    });

    // cattle flows hub -> farm, width by heads delivered so far
    var fmax = maxOf(data.flows, function (f) { return f.heads[T - 1]; }) || 1;
    var flows = data.flows.map(function (f) {
      var line = L.polyline(f.ll, { color: '#7570b3', opacity: 0.8, weight: 2 });
      line.bindTooltip(function () {
        return fromTemplate('ap-tip-flow', { flow: f.name, heads: fmt(f.heads[state.t]),
                                             quarter: periods[state.t] });
      }, { sticky: true });
      return { f: f, line: line };
    });
    updaters.push(function (t) {
      flows.forEach(function (x) {
        var h = x.f.heads[t];
        if (h > 0) {
          x.line.setStyle({ weight: 1.5 + 7 * Math.sqrt(h / fmax) });
          groups.flows.addLayer(x.line);
        } else { groups.flows.removeLayer(x.line); }
      });
    });

    // land cleared of mines, per district and quarter
    var cmax = maxOf(data.clearance, function (c) { return c.ha[T - 1]; }) || 1;
    var clear = data.clearance.map(function (c) {
      var m = L.circleMarker(c.ll, { color: '#1b7837', weight: 1.5, dashArray: '4 3', fillOpacity: 0.12 });
      m.bindTooltip(function () {
        var t = state.t, before = t > 0 ? c.ha[t - 1] : c.ha[0];
        return fromTemplate('ap-tip-clearance', { district: c.name, ha: fmt(c.ha[t]),
          quarter: periods[t], delta: fmt(c.ha[t] - before) });
      });
      groups.clearance.addLayer(m);
      return { c: c, m: m };
    });
    updaters.push(function (t) {
      clear.forEach(function (x) { x.m.setRadius(3 + 24 * Math.sqrt(x.c.ha[t] / cmax)); });
    });

    // candidates not chosen (static)
    data.candidates.forEach(function (c) {
      var site = c.kind === 'site';
      L.circleMarker(c.ll, { radius: site ? 4 : 3.5, color: site ? '#666' : '#999', weight: 1,
                             dashArray: site ? null : '2 2', fillColor: '#fff', fillOpacity: 0.8 })
        .bindPopup(c.popup).addTo(groups.candidates);
    });

    // agro-towns, sized by houses built so far
    var tmax = maxOf(data.towns, function (x) { return x.houses[T - 1]; }) || 1;
    var towns = data.towns.map(function (x) {
      var m = L.circleMarker(x.ll, { color: '#fff', weight: 1.5, fillColor: '#d95f02', fillOpacity: 0.9 });
      m.bindPopup(x.popup);
      m.bindTooltip(function () {
        return fromTemplate('ap-tip-town', { town: x.name, houses: fmt(x.houses[state.t]),
                                             quarter: periods[state.t] });
      });
      return { x: x, m: m };
    });
    updaters.push(function (t) {
      towns.forEach(function (o) {
        var shown = (o.x.dev !== null && o.x.dev <= t) || o.x.houses[t] > 0;
        if (shown) {
          o.m.setRadius(4 + 14 * Math.sqrt(o.x.houses[t] / tmax));
          groups.towns.addLayer(o.m);
        } else { groups.towns.removeLayer(o.m); }
      });
    });

    // hubs
    var letters = { rail: 'R', road: 'T', sea: 'S' };
    data.hubs.forEach(function (h) {
      var icon = L.divIcon({ className: 'ap-hub', iconSize: [16, 16],
                             html: text(letters[h.mode] || '\u2022') });
      L.marker(h.ll, { icon: icon, title: h.name }).bindPopup(h.popup)
        .bindTooltip(text(h.name)).addTo(groups.hubs);
    });

    // dairy farms: DOM markers, so each farm is a real, clickable element
    var farmLabels = {};
    function tagFarm(marker, id) {
      var el = marker.getElement();
      if (el) { el.dataset.site = id; el.setAttribute('aria-label', farmLabels[id]); }
    }
    var smax = maxOf(data.farms, function (f) { return f.size; }) || 1;
    var farmMarkers = {};
    var farms = data.farms.map(function (f) {
      var px = Math.round(8 + 7 * Math.sqrt(f.size / smax));
      var icons = {
        build: L.divIcon({ className: 'ap-farm ap-farm-build', iconSize: [px, px] }),
        op: L.divIcon({ className: 'ap-farm ap-farm-op', iconSize: [px, px] })
      };
      // above the hubs: a farm at a railhead stays a target of its own
      var m = L.marker(f.ll, { icon: icons.op, riseOnHover: true, zIndexOffset: 200 });
      farmLabels[f.id] = f.label;
      m.bindPopup(f.popup).bindTooltip(text(f.tip));
      // the element is re-created whenever the marker is added or its icon changes
      m.on('add', function () { tagFarm(m, f.id); });
      farmMarkers[f.id] = m;
      return { f: f, m: m, icons: icons, state: 'op' };
    });
    updaters.push(function (t) {
      farms.forEach(function (o) {
        if (o.f.start === null || o.f.start > t) { groups.farms.removeLayer(o.m); return; }
        var s = (o.f.op !== null && o.f.op <= t) ? 'op' : 'build';
        if (s !== o.state) { o.m.setIcon(o.icons[s]); o.state = s; tagFarm(o.m, o.f.id); }
        groups.farms.addLayer(o.m);
      });
    });

    // Belarusian origins, far outside the view: labelled arrows at the map's edge
    var origins = data.origins.map(function (o) {
      var html = document.createElement('div');
      html.innerHTML = '<svg width="22" height="22" viewBox="-11 -11 22 22"><path d="M-9 -4 L3 -4 L3 -9 L10 0 L3 9 L3 4 L-9 4 Z"/></svg>';
      html.appendChild(text(o.label));
      var icon = L.divIcon({ className: 'ap-origin', iconSize: null, html: html });
      var m = L.marker(o.ll, { icon: icon, title: o.name, zIndexOffset: 1000 }).bindPopup(o.popup);
      groups.origins.addLayer(m);
      return { o: o, m: m };
    });
    // the stretch of the top edge between the controls of the two top corners
    function topBand() {
      var frame = map.getContainer().getBoundingClientRect(), band = { left: 0, right: frame.width };
      map.getContainer().querySelectorAll('.leaflet-top .leaflet-control').forEach(function (el) {
        var r = el.getBoundingClientRect();
        if (!r.width) { return; }
        if (r.left - frame.left < frame.width / 2) { band.left = Math.max(band.left, r.right - frame.left); }
        else { band.right = Math.min(band.right, r.left - frame.left); }
      });
      return band;
    }
    // each origin's arrow at the edge of the view in its direction: along the top edge,
    // between the controls, for origins to the north (Belarus); stacked, never overlapping
    function placeOrigins() {
      var size = map.getSize(), c = size.divideBy(2), margin = 28, used = [], band = topBand();
      origins.forEach(function (x) {
        var p = map.latLngToContainerPoint(x.o.ll), d = p.subtract(c), s = 1, q;
        var el = x.m.getElement(), width = el ? el.offsetWidth || 170 : 170, height = 22;
        if (d.y < 0 && Math.abs(d.x) < 3 * -d.y) {
          var hit = c.x + d.x * (c.y - 8) / -d.y - width / 2;
          q = L.point(Math.max(band.left + 6, Math.min(band.right - width - 6, hit)), 8);
        } else {
          if (d.x !== 0) { s = Math.min(s, Math.abs((c.x - margin - 60) / d.x)); }
          if (d.y !== 0) { s = Math.min(s, Math.abs((c.y - margin) / d.y)); }
          q = c.add(d.multiplyBy(s));
        }
        var moved = true;
        while (moved) {
          moved = false;
          used.forEach(function (u) {
            if (q.x < u.x + u.w && u.x < q.x + width && q.y < u.y + height && u.y < q.y + height) {
              q.y = u.y + height + 2;
              moved = true;
            }
          });
        }
        used.push({ x: q.x, y: q.y, w: width });
        x.m.setLatLng(map.containerPointToLatLng(q));
        if (el) {
          el.querySelector('svg').style.transform = 'rotate(' + Math.atan2(d.y, d.x) * 180 / Math.PI + 'deg)';
        }
      });
    }
    map.on('moveend zoomend resize', placeOrigins);
    groups.origins.on('add', placeOrigins);

    // legend, with the choice of what colours the districts
    var legend = agroplanShell.panel(map, { position: 'bottomright', narrowPosition: 'topright',
      className: 'ap-legend', label: word('legend'), content: fromTemplate('ap-legend-tpl') }).box;
    function drawScale() {
      var m = METRICS[state.metric], br = classes(dmax[state.metric]);
      var f = m.unit === 'usd' ? usd : fmt;
      var scale = legend.querySelector('.ap-scale');
      scale.textContent = '';
      m.colors.forEach(function (c, i) {
        var lo = i === 0 ? 0 : br[i - 1], hi = br[i];
        var row = document.createElement('div'), sym = document.createElement('i');
        sym.className = 'ap-sym';
        sym.style.background = c;
        row.appendChild(sym);
        row.appendChild(document.createTextNode(' ' + (i === br.length ? '> ' + f(lo) :
          (i === 0 ? '0 - ' : f(lo) + ' - ') + f(hi))));
        scale.appendChild(row);
      });
    }
    legend.querySelectorAll('input[name="ap-metric"]').forEach(function (input) {
      input.addEventListener('change', function () {
        state.metric = input.value;
        drawScale();
        setTime(state.t);
      });
    });
    drawScale();

    // time slider
    control('bottomleft', 'ap-time', fromTemplate('ap-time-tpl')).addTo(map);
    var box = map.getContainer().querySelector('.ap-time');
    var slider = box.querySelector('.ap-slider'), play = box.querySelector('.ap-play');
    var playLabel = play.getAttribute('aria-label');
    slider.addEventListener('input', function () { stop(); setTime(parseInt(slider.value, 10)); });
    function stop() {
      if (state.timer !== null) {
        clearInterval(state.timer);
        state.timer = null;
        play.textContent = '\u25B6';
        play.setAttribute('aria-label', playLabel);
      }
    }
    play.addEventListener('click', function () {
      if (state.timer !== null) { stop(); return; }
      if (state.t >= T - 1) { setTime(0); }
      play.textContent = '\u275A\u275A';
      play.setAttribute('aria-label', play.dataset.pause);
      state.timer = setInterval(function () {
        if (state.t >= T - 1) { stop(); return; }
        setTime(state.t + 1);
      }, 900);
    });

    // KPI panel: the totals are written in the template, the quarter's figures here
    var k = data.kpi;
    var kpi = agroplanShell.panel(map, { position: 'bottomleft', className: 'ap-kpi',
      label: word('kpi'), content: fromTemplate('ap-kpi-tpl') });
    var panel = kpi.box;
    updaters.push(function (t) {
      function set(key, value) { panel.querySelector('[data-kpi="' + key + '"]').textContent = value; }
      kpi.summary(fromTemplate('ap-kpi-summary-tpl', { families: fmt(k.families[t]),
                                                        quarter: periods[t] }).textContent);
      fill(panel, { quarter: periods[t], milk: fmt(k.milk[t]) });
      set('families', fmt(k.families[t]));
      set('farms_op', fmt(k.farms_op[t]));
      set('farms_built', fmt(k.farms_built[t]));
      set('herd', fmt(k.herd[t]));
      set('spend', usd(k.spend_cum[t]));
      set('budget', usd(k.budget_cum[t]));
    });

    function setTime(t) {
      state.t = Math.max(0, Math.min(T - 1, t));
      slider.value = String(state.t);
      slider.setAttribute('aria-valuetext', periods[state.t]);
      box.querySelector('.ap-quarter').textContent = periods[state.t];
      updaters.forEach(function (u) { u(state.t); });
    }

    setTime(state.t);
    placeOrigins();
    global.agroplan = { map: map, groups: groups, setTime: setTime, state: state, farms: farmMarkers,
                        fmt: fmt, usd: usd };
  };
})(window);
