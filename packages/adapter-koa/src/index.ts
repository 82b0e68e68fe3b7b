export { tusKoa, type TusKoaOptions } from './middleware.js';
