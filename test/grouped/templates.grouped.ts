import { runGroup } from './run-group';

runGroup('templates');
