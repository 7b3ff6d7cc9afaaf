/* agroplan map shell: what every map page shares (the plan map, the review map, the
 * comparison and any new map page). Loads nothing.
 *
 * - Panels (legend, key figures, the layer control) fold into buttons: open by themselves
 *   on a map 1280 px wide or more, folded below; a button opens and closes its panel
 *   (Enter, Space or a tap; Escape closes it again). A panel may show a one-line summary
 *   on its button while folded.
 * - The map opens fitted to the plan's places, with padding chosen so that no panel,
 *   button or obstacle (the origin arrows) covers any of them.
 * - Printing (and the PDF writer, which sends `beforeprint`) lays the map out on an A4
 *   landscape page, fitted again around the printed legend and key figures.
 *
 * A page calls agroplanShell.panel(...) for each of its panels while drawing, and the
 * page's ShellCall (agroplan/render/shell.py) calls agroplanShell.start(map, config) last. */
(function (global) {
  'use strict';

  var WIDE_PX = 1280;   // from this map width on, panels open by themselves
  var NARROW_PX = 600;  // below it: the phone layout (full-width bars, 44 px targets)
  var MARGIN_PX = 26;   // kept around the fitted places: half the largest marker, and more
  var MAX_ZOOM = 12;    // a plan of one place is not shown street by street
  var CORNERS = ['topleft', 'topright', 'bottomleft', 'bottomright'];
  var counter = 0;
  var panels = [];

  function isWide(map) { return map.getSize().x >= WIDE_PX; }
  function isNarrow(map) { return map.getSize().x < NARROW_PX; }

  // ------------------------------------------------------------------ panels

  function setOpen(panel, open) {
    panel.open = open;
    panel.box.classList.toggle('ap-open', open);
    panel.button.setAttribute('aria-expanded', open ? 'true' : 'false');
    showSummary(panel);
    if (open) { limitHeight(panel); }
  }

  // an open panel never runs off the map: its body scrolls instead
  function limitHeight(panel) {
    if (!panel.box.parentNode) { return; }  // not on the map yet: arrange() comes back
    var map = panel.map, rect = panel.box.getBoundingClientRect();
    var frame = map.getContainer().getBoundingClientRect();
    var bottom = panel.box.parentNode.classList.contains('leaflet-bottom');
    var room = bottom ? rect.bottom - frame.top : frame.bottom - rect.top;
    var used = panel.button.offsetHeight + 24;
    panel.body.style.maxHeight = Math.max(120, room - used) + 'px';
  }

  function makeFoldable(map, box, body, label, options) {
    var id = 'ap-panel-' + (++counter);
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'ap-fold';
    button.setAttribute('aria-controls', id);
    var title = document.createElement('span');
    title.className = 'ap-fold-label';
    title.textContent = label;
    button.appendChild(title);
    body.id = id;
    body.classList.add('ap-panel-body');
    box.classList.add('ap-panel');
    box.insertBefore(button, box.firstChild);
    var panel = { map: map, box: box, body: body, button: button, title: title, label: label,
                  open: false, summary: null, options: options || {} };
    button.addEventListener('click', function () { setOpen(panel, !panel.open); });
    box.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && panel.open) {
        setOpen(panel, false);
        button.focus();
        event.stopPropagation();
      }
    });
    panels.push(panel);
    setOpen(panel, isWide(map));
    return panel;
  }

  /* A folding panel as a Leaflet control.
   * options: position (a Leaflet corner), narrowPosition (its corner on a phone),
   * className, label (the button's words), content (a node). */
  function panel(map, options) {
    var made = null;
    var Control = L.Control.extend({
      onAdd: function () {
        var box = L.DomUtil.create('div', 'ap-control ' + options.className);
        var body = document.createElement('div');
        body.appendChild(options.content);
        box.appendChild(body);
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        made = makeFoldable(map, box, body, options.label, options);
        return box;
      }
    });
    var control = new Control({ position: options.position });
    control.addTo(map);
    made.control = control;
    return {
      control: control, box: made.box, body: made.body,
      // the button's words while folded (the label when open); text only
      summary: function (text) { made.summary = text; showSummary(made); }
    };
  }

  function showSummary(panel) {
    var folded = !panel.open && panel.summary;
    panel.title.textContent = folded ? panel.summary : panel.label;
    panel.button.title = folded ? panel.label : '';
  }

  // folium's layer control (collapsed=False) gets a button too
  function foldLayerControl(map, words) {
    var box = map.getContainer().querySelector('.leaflet-control-layers');
    if (!box || box.classList.contains('ap-panel')) { return; }
    var list = box.querySelector('.leaflet-control-layers-list');
    list.style.height = '';
    list.classList.remove('leaflet-control-layers-scrollbar');
    makeFoldable(map, box, list, words.layers, {});
  }

  function arrange(map) {
    var narrow = isNarrow(map);
    map.getContainer().classList.toggle('ap-narrow', narrow);
    map.getContainer().classList.toggle('ap-wide', isWide(map));
    panels.forEach(function (p) {
      if (p.map !== map) { return; }
      var corner = narrow && p.options.narrowPosition ? p.options.narrowPosition : p.options.position;
      if (p.control && corner && p.control.getPosition() !== corner) { p.control.setPosition(corner); }
    });
  }

  function foldAll(map) {
    panels.forEach(function (p) {
      if (p.map === map) { setOpen(p, isWide(map)); }
    });
  }

  // ------------------------------------------------------------------ the first view

  function rectIn(frame, rect) {
    return { left: rect.left - frame.left, top: rect.top - frame.top,
             right: rect.right - frame.left, bottom: rect.bottom - frame.top };
  }

  function visible(el) {
    var r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  }

  /* What covers the map near each corner: for every corner, the width and height of the
   * box from the corner that holds its controls and the obstacles nearest to it. */
  function cornerBoxes(map, obstacles) {
    var container = map.getContainer(), frame = container.getBoundingClientRect();
    var size = map.getSize(), boxes = {};
    CORNERS.forEach(function (c) { boxes[c] = { w: 0, h: 0 }; });
    function add(el) {
      if (!visible(el)) { return; }
      var r = rectIn(frame, el.getBoundingClientRect());
      var top = (r.top + r.bottom) / 2 < size.y / 2, left = (r.left + r.right) / 2 < size.x / 2;
      var b = boxes[(top ? 'top' : 'bottom') + (left ? 'left' : 'right')];
      b.w = Math.max(b.w, left ? r.right : size.x - r.left);
      b.h = Math.max(b.h, top ? r.bottom : size.y - r.top);
    }
    container.querySelectorAll('.leaflet-control-container .leaflet-control').forEach(add);
    if (obstacles) { container.querySelectorAll(obstacles).forEach(add); }
    return boxes;
  }

  /* Padding that keeps every place clear of every corner box: each box is kept clear
   * either sideways or up/down; of the 16 choices, the one that shows the places largest. */
  function bestPadding(map, bounds, boxes) {
    var best = null;
    for (var mask = 0; mask < 16; mask++) {
      var pad = { left: 0, right: 0, top: 0, bottom: 0 };
      CORNERS.forEach(function (c, i) {
        var b = boxes[c];
        if (!b.w || !b.h) { return; }
        var sideways = (mask >> i) & 1;
        if (sideways) {
          var side = c.indexOf('left') >= 0 ? 'left' : 'right';
          pad[side] = Math.max(pad[side], b.w);
        } else {
          var end = c.indexOf('top') === 0 ? 'top' : 'bottom';
          pad[end] = Math.max(pad[end], b.h);
        }
      });
      var total = L.point(pad.left + pad.right + 2 * MARGIN_PX, pad.top + pad.bottom + 2 * MARGIN_PX);
      var size = map.getSize();
      if (total.x >= size.x - 40 || total.y >= size.y - 40) { continue; }
      var zoom = map.getBoundsZoom(bounds, false, total);
      var room = (size.x - total.x) * (size.y - total.y);
      if (best === null || zoom > best.zoom || (zoom === best.zoom && room > best.room)) {
        best = { zoom: zoom, room: room, pad: pad };
      }
    }
    return best ? best.pad : { left: 0, right: 0, top: 0, bottom: 0 };
  }

  function placesCovered(map, points, obstacles) {
    if (!obstacles) { return false; }
    var container = map.getContainer(), frame = container.getBoundingClientRect();
    var covered = false;
    container.querySelectorAll(obstacles).forEach(function (el) {
      if (covered || !visible(el)) { return; }
      var r = rectIn(frame, el.getBoundingClientRect());
      points.forEach(function (ll) {
        var p = map.latLngToContainerPoint(ll);
        if (p.x > r.left - MARGIN_PX / 2 && p.x < r.right + MARGIN_PX / 2 &&
            p.y > r.top - MARGIN_PX / 2 && p.y < r.bottom + MARGIN_PX / 2) { covered = true; }
      });
    });
    return covered;
  }

  function fit(map, config) {
    var points = config.fit || [];
    if (!points.length) { return; }
    var bounds = L.latLngBounds(points);
    var obstacles = null;
    // obstacles placed after the view (the origin arrows) are avoided once they are seen
    for (var round = 0; round < 3; round++) {
      var pad = bestPadding(map, bounds, cornerBoxes(map, obstacles));
      map.fitBounds(bounds, {
        paddingTopLeft: [pad.left + MARGIN_PX, pad.top + MARGIN_PX],
        paddingBottomRight: [pad.right + MARGIN_PX, pad.bottom + MARGIN_PX],
        maxZoom: MAX_ZOOM, animate: false
      });
      if (!placesCovered(map, points, config.obstacles)) { return; }
      obstacles = config.obstacles;
    }
  }

  // ------------------------------------------------------------------ printing

  function beforePrint(map, config) {
    var root = document.documentElement;
    if (root.classList.contains('ap-printing')) { return; }
    root.classList.add('ap-printing');
    panels.forEach(function (p) { if (p.map === map) { p.wasOpen = p.open; setOpen(p, true); } });
    map.invalidateSize({ animate: false, pan: false });
    fit(map, config);
  }

  function afterPrint(map, config) {
    var root = document.documentElement;
    if (!root.classList.contains('ap-printing')) { return; }
    root.classList.remove('ap-printing');
    panels.forEach(function (p) { if (p.map === map) { setOpen(p, p.wasOpen); } });
    map.invalidateSize({ animate: false, pan: false });
    fit(map, config);
  }

  // ------------------------------------------------------------------ start

  function start(map, config) {
    foldLayerControl(map, config.words || {});
    arrange(map);
    foldAll(map);
    fit(map, config);
    var width = map.getSize().x;
    map.on('resize', function () {
      var now = map.getSize().x;
      var crossed = (now >= WIDE_PX) !== (width >= WIDE_PX) ||
                    (now < NARROW_PX) !== (width < NARROW_PX);
      width = now;
      if (crossed && !document.documentElement.classList.contains('ap-printing')) {
        arrange(map);
        foldAll(map);
      }
    });
    global.addEventListener('beforeprint', function () { beforePrint(map, config); });
    global.addEventListener('afterprint', function () { afterPrint(map, config); });
    global.agroplanShell.maps.push(map);
    global.agroplanShell.started = true;
  }

  global.agroplanShell = { panel: panel, start: start, fit: fit, started: false, maps: [] };
})(window);
