/* agroplan review map: draws the previous plan, the actuals and the re-plan from the JSON
 * embedded in the page onto a Leaflet map made by folium, one layer group each, with the
 * legend of the page's <template> as a panel of the map shell (shell.js). Loads nothing.
 * Names and tips in the data are plain text, shown as text; popups are HTML the page's
 * templates escaped. */
(function (global) {
  'use strict';

  var BASEMAP = {
    neighbour: { color: '#bdb8ad', weight: 0.8, fillColor: '#e4e1da', fillOpacity: 1 },
    az_district: { color: '#c9c2b0', weight: 0.6, fillColor: '#f3efe4', fillOpacity: 1 },
    lake: { color: '#7fb2d9', weight: 0.6, fillColor: '#b9d7ee', fillOpacity: 1 },
    river: { color: '#6aa5d6', weight: 1.4, opacity: 0.9, fill: false }
  };

  // layer key -> how its symbols look. Colours are Okabe and Ito's, safe for colour-blind
  // readers, and no two layers differ by colour alone: hollow or filled, solid or striped,
  // and each its own line pattern (solid, dashed, dotted, dash-dot).
  var STYLE = {
    planned: { color: '#4d4d4d', fill: false, stripes: false, dash: '6 4', border: 'dashed' },
    actual: { color: '#0072b2', fill: true, stripes: false, dash: null, border: 'solid' },
    replan: { color: '#d55e00', fill: true, stripes: true, dash: '1 4', border: 'dotted' },
    previous_rest: { color: '#cc79a7', fill: false, stripes: false, dash: '8 3 2 3',
                     border: 'double' }
  };

  function background(s) {
    if (!s.fill) { return 'rgba(255,255,255,0.4)'; }
    if (!s.stripes) { return s.color; }
    return 'repeating-linear-gradient(45deg, ' + s.color + ' 0 3px, #fff 3px 5px)';
  }

  function text(value) {
    var span = document.createElement('span');
    span.textContent = value;
    return span;
  }

  function maxOver(layers, kind, key) {
    var m = 0;
    Object.keys(layers).forEach(function (k) {
      layers[k][kind].forEach(function (x) { if (x[key] > m) { m = x[key]; } });
    });
    return m || 1;
  }

  function legend(map) {
    var template = document.getElementById('ap-review-legend-tpl');
    var content = document.createElement('div');
    content.appendChild(template.content.cloneNode(true));
    Object.keys(STYLE).forEach(function (k) {
      var s = STYLE[k], sym = content.querySelector('[data-layer="' + k + '"] .ap-sym');
      sym.style.border = (s.border === 'double' ? '3px ' : '2px ') + s.border + ' ' + s.color;
      sym.style.background = background(s);
    });
    return agroplanShell.panel(map, { position: 'bottomleft', narrowPosition: 'topright',
      className: 'ap-legend ap-rv-legend', label: template.dataset.label, content: content });
  }

  global.agroplanReviewMap = function (map, groups, data) {
    map.createPane('ap-basemap').style.zIndex = 150;
    map.getPane('ap-basemap').style.pointerEvents = 'none';
    L.geoJSON(data.basemap, {
      pane: 'ap-basemap', interactive: false,
      style: function (f) { return BASEMAP[f.properties.kind] || BASEMAP.az_district; }
    }).addTo(groups.basemap);
    L.geoJSON(data.districts, {
      style: function () { return { color: '#555', weight: 1.2, fill: true, fillOpacity: 0.05 }; },
      onEachFeature: function (f, layer) { layer.bindTooltip(text(f.properties.name), { sticky: true }); }
    }).addTo(groups.districts);

    var layers = data.layers;
    var fmax = maxOver(layers, 'farms', 'size');
    var tmax = maxOver(layers, 'towns', 'houses');
    var hmax = maxOver(layers, 'flows', 'heads');
    Object.keys(STYLE).forEach(function (key) {
      var s = STYLE[key], group = groups[key], layer = layers[key];
      layer.flows.forEach(function (f) {
        L.polyline(f.ll, { color: s.color, opacity: 0.8, dashArray: s.dash,
                           weight: 1.5 + 6 * Math.sqrt(f.heads / hmax) })
          .bindTooltip(text(f.tip), { sticky: true }).addTo(group);
      });
      layer.towns.forEach(function (t) {
        L.circleMarker(t.ll, { color: s.color, weight: 2, dashArray: s.dash, fill: true,
                               fillColor: s.fill ? s.color : '#fff', fillOpacity: s.fill ? 0.6 : 0.1,
                               radius: (s.fill ? 4 : 7) + 12 * Math.sqrt(t.houses / tmax) })
          .bindTooltip(text(t.tip)).bindPopup(t.popup).addTo(group);
      });
      layer.farms.forEach(function (f) {
        // hollow (planned) squares are drawn larger, so they frame an actual farm on the site
        var px = Math.round((s.fill ? 10 : 16) + 12 * Math.sqrt(f.size / fmax));
        var square = document.createElement('div');
        square.dataset.site = f.id;
        square.dataset.layer = key;
        square.style.cssText = 'width:100%;height:100%;box-sizing:border-box';
        square.style.border = (s.border === 'double' ? '4px ' : '2px ') + s.border + ' ' + s.color;
        square.style.background = background(s);
        var icon = L.divIcon({ className: 'ap-rv-farm ap-rv-' + key, iconSize: [px, px],
                               html: square });
        var marker = L.marker(f.ll, { icon: icon, title: '' });
        // a marker is a button to the keyboard: its name is the farm's tip
        marker.on('add', function () {
          var el = marker.getElement();
          if (el) { el.setAttribute('aria-label', f.tip); }
        });
        marker.bindTooltip(text(f.tip)).bindPopup(f.popup).addTo(group);
      });
    });
    legend(map);
    global.agroplanReview = { map: map, groups: groups, data: data };
  };
}(window));
