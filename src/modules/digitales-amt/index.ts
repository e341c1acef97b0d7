export { digitalesAmtRoutes } from './digitales-amt.routes.ts';
