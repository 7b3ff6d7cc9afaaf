/* agroplan review map: draws the previous plan, the actuals and the re-plan from the JSON
 * embedded in the page onto a Leaflet map made by folium, one layer group each, with the
 * legend of the page's <template>. Loads nothing. Names and tips in the data are plain
 * text, shown as text; popups are HTML the page's templates escaped. */
(function (global) {
  'use strict';

  var BASEMAP = {
    neighbour: { color: '#bdb8ad', weight: 0.8, fillColor: '#e4e1da', fillOpacity: 1 },
    az_district: { color: '#c9c2b0', weight: 0.6, fillColor: '#f3efe4', fillOpacity: 1 },
    lake: { color: '#7fb2d9', weight: 0.6, fillColor: '#b9d7ee', fillOpacity: 1 },
    river: { color: '#6aa5d6', weight: 1.4, opacity: 0.9, fill: false }
  };

  // layer key -> how its symbols look: hollow and dashed for plans that were replaced
  var STYLE = {
    planned: { color: '#4d4d4d', fill: false, dash: '4 3' },
    actual: { color: '#1f7a3a', fill: true, dash: null },
    replan: { color: '#d95f02', fill: true, dash: null },
    previous_rest: { color: '#7b3294', fill: false, dash: '4 3' }
  };

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

  function legend() {
    var C = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create('div', 'ap-control ap-legend ap-rv-legend');
        div.appendChild(document.getElementById('ap-review-legend-tpl').content.cloneNode(true));
        Object.keys(STYLE).forEach(function (k) {
          var s = STYLE[k], sym = div.querySelector('[data-layer="' + k + '"] .ap-sym');
          sym.style.border = '2px ' + (s.dash ? 'dashed ' : 'solid ') + s.color;
          sym.style.background = s.fill ? s.color : '#fff';
        });
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      }
    });
    return new C({ position: 'bottomleft' });
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
        square.style.border = '2px ' + (s.dash ? 'dashed ' : 'solid ') + s.color;
        square.style.background = s.fill ? s.color : 'rgba(255,255,255,0.4)';
        var icon = L.divIcon({ className: 'ap-rv-farm ap-rv-' + key, iconSize: [px, px],
                               html: square });
        L.marker(f.ll, { icon: icon, title: '' }).bindTooltip(text(f.tip)).bindPopup(f.popup)
          .addTo(group);
      });
    });
    legend().addTo(map);
    map.fitBounds(data.bounds);
    global.agroplanReview = { map: map, groups: groups, data: data };
  };
}(window));
