export { tusExpress, type TusExpressOptions } from './handler.js';
