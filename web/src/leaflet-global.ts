// leaflet.markercluster extends the global `L` (it is a UMD plugin): expose Leaflet's module before it loads.
import L from 'leaflet';

(window as unknown as { L: typeof L }).L = L;
