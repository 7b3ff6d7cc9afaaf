/* agroplan review map: draws the previous plan, the actuals and the re-plan from the JSON
 * embedded in the page onto a Leaflet map made by folium, one layer group each, with a
 * legend. Loads nothing. Every string in the data is HTML escaped by agroplan before it
 * is embedded; this file only adds numbers to it. */
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
    planned: { color: '#4d4d4d', fill: false, dash: '4 3', label: 'Planned (previous plan)' },
    actual: { color: '#1f7a3a', fill: true, dash: null, label: 'Actual' },
    replan: { color: '#d95f02', fill: true, dash: null, label: 'Re-plan, remaining quarters' },
    previous_rest: { color: '#7b3294', fill: false, dash: '4 3',
                     label: 'Previous plan, remaining quarters' }
  };

  function maxOver(layers, kind, key) {
    var m = 0;
    Object.keys(layers).forEach(function (k) {
      layers[k][kind].forEach(function (x) { if (x[key] > m) { m = x[key]; } });
    });
    return m || 1;
  }

  function legend(data) {
    var C = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create('div', 'ap-control ap-legend ap-rv-legend');
        var html = '<h3>' + data.title + '</h3>';
        html += '<div>square: dairy farm started (size by head)</div>';
        html += '<div>circle: houses built per settlement</div>';
        html += '<div>line: heifers delivered, hub to farm</div>';
        Object.keys(STYLE).forEach(function (k) {
          var s = STYLE[k];
          html += '<div><i class="ap-sym" style="border:2px ' + (s.dash ? 'dashed ' : 'solid ') +
            s.color + ';background:' + (s.fill ? s.color : '#fff') + '"></i> ' + s.label + '</div>';
        });
        div.innerHTML = html;
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
      onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.name, { sticky: true }); }
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
          .bindTooltip(f.tip, { sticky: true }).addTo(group);
      });
      layer.towns.forEach(function (t) {
        L.circleMarker(t.ll, { color: s.color, weight: 2, dashArray: s.dash, fill: true,
                               fillColor: s.fill ? s.color : '#fff', fillOpacity: s.fill ? 0.6 : 0.1,
                               radius: (s.fill ? 4 : 7) + 12 * Math.sqrt(t.houses / tmax) })
          .bindTooltip(t.tip).bindPopup(t.popup).addTo(group);
      });
      layer.farms.forEach(function (f) {
        // hollow (planned) squares are drawn larger, so they frame an actual farm on the site
        var px = Math.round((s.fill ? 10 : 16) + 12 * Math.sqrt(f.size / fmax));
        var icon = L.divIcon({
          className: 'ap-rv-farm ap-rv-' + key, iconSize: [px, px],
          html: '<div data-site="' + f.id + '" data-layer="' + key + '" style="width:100%;' +
            'height:100%;box-sizing:border-box;border:2px ' + (s.dash ? 'dashed ' : 'solid ') +
            s.color + ';background:' + (s.fill ? s.color : 'rgba(255,255,255,0.4)') + '"></div>'
        });
        L.marker(f.ll, { icon: icon, title: '' }).bindTooltip(f.tip).bindPopup(f.popup)
          .addTo(group);
      });
    });
    legend(data).addTo(map);
    map.fitBounds(data.bounds);
    global.agroplanReview = { map: map, groups: groups, data: data };
  };
}(window));
