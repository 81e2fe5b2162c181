/**
 * The map viewer of the demo pages, run by the browser with OpenLayers (`ol.js` full build) and
 * proj4: it reads its settings from the page's `#demo-config` JSON block (see viewer-config.ts).
 */
export const VIEWER_JS = `(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('demo-config').textContent);
  // OpenLayers knows EPSG:4326/3857 and their aliases; any other SRS comes with its proj4 definition
  if (!ol.proj.get(cfg.srs) && cfg.proj4Definition) {
    proj4.defs(cfg.srs, cfg.proj4Definition);
    ol.proj.proj4.register(proj4);
  }
  var projection = ol.proj.get(cfg.srs);
  var layer;
  var viewOptions = { projection: projection };
  if (cfg.wms) {
    layer = new ol.layer.Image({
      source: new ol.source.ImageWMS({ url: cfg.wms.url, params: cfg.wms.params, projection: projection, ratio: 1 })
    });
  } else {
    var t = cfg.tiles;
    var tileGrid = new ol.tilegrid.TileGrid({
      origin: t.origin, resolutions: t.resolutions, tileSize: t.tileSize, extent: t.extent
    });
    layer = new ol.layer.Tile({
      source: new ol.source.TileImage({
        projection: projection,
        tileGrid: tileGrid,
        tileUrlFunction: function (coord) {
          // OpenLayers counts rows down from the origin: -1 is the first row above a lower-left origin
          var row = t.rowsUp ? -coord[2] - 1 : coord[2];
          return t.url.replace('{z}', String(coord[0])).replace('{x}', String(coord[1])).replace('{y}', String(row));
        }
      })
    });
    viewOptions.resolutions = t.resolutions;
    viewOptions.extent = t.extent;
    viewOptions.constrainOnlyCenter = true;
  }
  var map = new ol.Map({ target: 'map', layers: [layer], view: new ol.View(viewOptions) });
  map.getView().fit(cfg.fit, { size: map.getSize() });
  map.once('rendercomplete', function () {
    document.documentElement.setAttribute('data-rendered', 'true');
  });
  window.demoMap = map;
})();
`;
