/* agroplan map: draws a plan from the JSON embedded in the page onto a Leaflet map made
 * by folium, with a time slider by quarter, a KPI panel and a legend. Loads nothing.
 * Every string in the data is HTML escaped by agroplan before it is embedded; this file
 * only adds numbers to it. */
(function (global) {
  'use strict';

  function fmt(n) { return Math.round(n).toLocaleString('en-US'); }

  function usd(v) {
    var a = Math.abs(v);
    if (a >= 1e9) { return 'USD ' + (v / 1e9).toFixed(2) + ' bn'; }
    if (a >= 1e6) { return 'USD ' + (v / 1e6).toFixed(1) + ' M'; }
    return 'USD ' + fmt(v);
  }

  var METRICS = {
    families: { label: 'Families housed', unit: '', colors: ['#f7fcf5', '#c7e9c0', '#74c476', '#31a354', '#006d2c'],
                value: function (p, t) { return p.families[t]; } },
    herd: { label: 'Herd (head)', unit: '', colors: ['#f7fbff', '#c6dbef', '#6baed6', '#2171b5', '#08306b'],
            value: function (p, t) { return p.herd[t]; } },
    spend: { label: 'Spend over the plan', unit: 'usd', colors: ['#fff5eb', '#fdd0a2', '#fd8d3c', '#d94801', '#7f2704'],
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

  function control(position, className, html) {
    var C = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create('div', 'ap-control ' + className);
        div.innerHTML = html;
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      }
    });
    return new C({ position: position });
  }

  global.agroplanMap = function (map, groups, data) {
    var periods = data.periods, T = periods.length;
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
        return '<b>' + p.name + '</b><br>by ' + periods[t] + ': ' + fmt(p.families[t]) +
          ' families housed, ' + fmt(p.herd[t]) + ' head of cattle<br>' +
          fmt(p.cleared[t]) + ' ha of farmland cleared<br>spend over the plan: ' + usd(p.spend);
      }, { sticky: true });
    });
    data.districts.features.forEach(function (f) {
      L.marker(f.properties.label_ll, { pane: 'ap-labels', interactive: false, keyboard: false,
        icon: L.divIcon({ className: 'ap-dlabel', iconSize: null, html: f.properties.label }) })
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
      var line = L.polyline(f.ll, { color: '#7b3294', opacity: 0.75, weight: 2 });
      line.bindTooltip(function () {
        return f.name + ': ' + fmt(f.heads[state.t]) + ' heifers by ' + periods[state.t];
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
        return c.name + ': ' + fmt(c.ha[t]) + ' ha of farmland cleared by ' + periods[t] +
          ' (+' + fmt(c.ha[t] - before) + ' ha this quarter)';
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
        return x.name + ': ' + fmt(x.houses[state.t]) + ' houses by ' + periods[state.t];
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
                             html: letters[h.mode] || '&#8226;' });
      L.marker(h.ll, { icon: icon, title: 'hub' }).bindPopup(h.popup)
        .bindTooltip(h.name).addTo(groups.hubs);
    });

    // dairy farms: DOM markers, so each farm is a real, clickable element
    function tagFarm(marker, id) {
      var el = marker.getElement();
      if (el) { el.dataset.site = id; el.setAttribute('aria-label', 'Dairy farm ' + id); }
    }
    var smax = maxOf(data.farms, function (f) { return f.size; }) || 1;
    var farmMarkers = {};
    var farms = data.farms.map(function (f) {
      var px = Math.round(8 + 7 * Math.sqrt(f.size / smax));
      var icons = {
        build: L.divIcon({ className: 'ap-farm ap-farm-build', iconSize: [px, px] }),
        op: L.divIcon({ className: 'ap-farm ap-farm-op', iconSize: [px, px] })
      };
      var m = L.marker(f.ll, { icon: icons.op, riseOnHover: true });
      m.bindPopup(f.popup).bindTooltip(f.tip);
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
      var icon = L.divIcon({ className: 'ap-origin', iconSize: null, html:
        '<svg width="22" height="22" viewBox="-11 -11 22 22"><path d="M-9 -4 L3 -4 L3 -9 L10 0 L3 9 L3 4 L-9 4 Z"/></svg>' +
        '<span>' + o.label + '</span>' });
      var m = L.marker(o.ll, { icon: icon, title: 'origin', zIndexOffset: 1000 }).bindPopup(o.popup);
      groups.origins.addLayer(m);
      return { o: o, m: m };
    });
    function placeOrigins() {
      var size = map.getSize(), c = size.divideBy(2), margin = 28, used = [];
      origins.forEach(function (x) {
        var p = map.latLngToContainerPoint(x.o.ll), d = p.subtract(c), s = 1;
        if (d.x !== 0) { s = Math.min(s, Math.abs((c.x - margin - 60) / d.x)); }
        if (d.y !== 0) { s = Math.min(s, Math.abs((c.y - margin) / d.y)); }
        var q = c.add(d.multiplyBy(s));
        used.forEach(function (u) { if (Math.abs(u.x - q.x) < 200 && Math.abs(u.y - q.y) < 22) { q.y += 22; } });
        used.push(q);
        x.m.setLatLng(map.containerPointToLatLng(q));
        var el = x.m.getElement();
        if (el) {
          el.querySelector('svg').style.transform = 'rotate(' + Math.atan2(d.y, d.x) * 180 / Math.PI + 'deg)';
        }
      });
    }
    map.on('moveend zoomend resize', placeOrigins);
    groups.origins.on('add', placeOrigins);

    // legend, with the choice of what colours the districts
    var radios = Object.keys(METRICS).map(function (key) {
      return '<label><input type="radio" name="ap-metric" value="' + key + '"' +
        (key === state.metric ? ' checked' : '') + '> ' + METRICS[key].label + '</label>';
    }).join('');
    control('bottomright', 'ap-legend',
      '<details open><summary>Legend</summary>' +
      '<div><i class="ap-sym ap-farm ap-farm-op"></i> dairy farm, operational (size by head)</div>' +
      '<div><i class="ap-sym ap-farm ap-farm-build"></i> dairy farm under construction</div>' +
      '<div><i class="ap-sym ap-town"></i> agro-town (size by houses built)</div>' +
      '<div><i class="ap-sym ap-flow"></i> heifers hub &#8594; farm (width by head)</div>' +
      '<div><i class="ap-sym ap-hub">R</i> hub (R rail, T road, S sea)</div>' +
      '<div><i class="ap-sym ap-clear"></i> farmland cleared of mines</div>' +
      '<div><i class="ap-sym ap-cand"></i> candidate site not chosen</div>' +
      '<h4>Districts coloured by</h4><div class="ap-metrics">' + radios + '</div>' +
      '<div class="ap-scale"></div></details>'
    ).addTo(map);
    var legend = map.getContainer().querySelector('.ap-legend');
    function drawScale() {
      var m = METRICS[state.metric], br = classes(dmax[state.metric]);
      var f = m.unit === 'usd' ? usd : fmt;
      var rows = m.colors.map(function (c, i) {
        var lo = i === 0 ? 0 : br[i - 1], hi = br[i];
        var text = i === br.length ? '> ' + f(lo) : (i === 0 ? '0 - ' : f(lo) + ' - ') + f(hi);
        return '<div><i class="ap-sym" style="background:' + c + '"></i> ' + text + '</div>';
      });
      legend.querySelector('.ap-scale').innerHTML = rows.join('');
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
    control('bottomleft', 'ap-time',
      '<button type="button" class="ap-play" title="Play the plan quarter by quarter">&#9654;</button>' +
      '<input type="range" class="ap-slider" aria-label="Quarter" min="0" max="' + (T - 1) +
      '" step="1" value="' + (T - 1) + '">' +
      '<span class="ap-quarter"></span>').addTo(map);
    var box = map.getContainer().querySelector('.ap-time');
    var slider = box.querySelector('.ap-slider'), play = box.querySelector('.ap-play');
    slider.addEventListener('input', function () { stop(); setTime(parseInt(slider.value, 10)); });
    function stop() {
      if (state.timer !== null) { clearInterval(state.timer); state.timer = null; play.innerHTML = '&#9654;'; }
    }
    play.addEventListener('click', function () {
      if (state.timer !== null) { stop(); return; }
      if (state.t >= T - 1) { setTime(0); }
      play.innerHTML = '&#10074;&#10074;';
      state.timer = setInterval(function () {
        if (state.t >= T - 1) { stop(); return; }
        setTime(state.t + 1);
      }, 900);
    });

    // KPI panel
    var k = data.kpi, tot = k.totals;
    var trade = k.trade.map(function (r) {
      return '<li class="' + (r.met ? 'ap-met' : 'ap-short') + '">' + r.year + ': ' + r.total +
        ' of ' + r.target + (r.met ? ' &#10003; met' : ' &#10007; short by ' + r.gap) + '</li>';
    }).join('');
    var milestones = (k.milestones || []).map(function (r) {
      return '<li class="' + (r.met ? 'ap-met' : 'ap-short') + '">' + r.name + ': ' + r.text +
        (r.met ? ' &#10003;' : ' &#10007;') + '</li>';
    }).join('');
    var soft = (k.violations || []).slice(0, 5).map(function (text) {
      return '<li class="ap-short">' + text + '</li>';
    }).join('') + ((k.violations || []).length > 5 ?
      '<li>and ' + (k.violations.length - 5) + ' more (see the report)</li>' : '');
    control('bottomleft', 'ap-kpi',
      '<h3>' + data.title + '</h3>' +
      '<div class="ap-status ap-status-' + k.status + '">plan ' + k.status + ', gap ' + k.gap + '</div>' +
      '<table><tr><th></th><th class="ap-kpi-q"></th><th>whole plan</th></tr>' +
      '<tr><td>Families housed</td><td data-kpi="families"></td><td>' + tot.families + '</td></tr>' +
      '<tr><td>Farms operational</td><td data-kpi="farms_op"></td><td>' + tot.farms + '</td></tr>' +
      '<tr><td>Farms started</td><td data-kpi="farms_built"></td><td>' + tot.farms + '</td></tr>' +
      '<tr><td>Herd (head)</td><td data-kpi="herd"></td><td>' + tot.herd + '</td></tr>' +
      '<tr><td>Milk (t)</td><td data-kpi="milk"></td><td>' + tot.milk + ' a year</td></tr>' +
      '<tr><td>Farm jobs</td><td></td><td>' + tot.jobs + '</td></tr>' +
      '<tr><td>Spend</td><td data-kpi="spend"></td><td>' + tot.spend + '</td></tr>' +
      '<tr><td>Budget</td><td data-kpi="budget"></td><td>' + tot.budget + '</td></tr>' +
      '</table><h4>Bilateral trade vs targets</h4><ul>' + (trade || '<li>no targets</li>') + '</ul>' +
      (milestones ? '<h4>Milestones</h4><ul>' + milestones + '</ul>' : '') +
      (soft ? '<h4>Soft constraints not met</h4><ul>' + soft + '</ul>' : '')
    ).addTo(map);
    var panel = map.getContainer().querySelector('.ap-kpi');
    updaters.push(function (t) {
      function set(key, text) { panel.querySelector('[data-kpi="' + key + '"]').textContent = text; }
      panel.querySelector('.ap-kpi-q').textContent = 'by ' + periods[t];
      set('families', fmt(k.families[t]));
      set('farms_op', fmt(k.farms_op[t]));
      set('farms_built', fmt(k.farms_built[t]));
      set('herd', fmt(k.herd[t]));
      set('milk', fmt(k.milk[t]) + ' in the quarter');
      set('spend', usd(k.spend_cum[t]));
      set('budget', usd(k.budget_cum[t]));
    });

    function setTime(t) {
      state.t = Math.max(0, Math.min(T - 1, t));
      slider.value = String(state.t);
      box.querySelector('.ap-quarter').textContent = periods[state.t];
      updaters.forEach(function (u) { u(state.t); });
    }

    map.fitBounds(data.bounds, { padding: [16, 16], animate: false });
    setTime(state.t);
    placeOrigins();
    global.agroplan = { map: map, groups: groups, setTime: setTime, state: state, farms: farmMarkers };
  };
})(window);
