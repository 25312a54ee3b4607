import { runGroup } from './run-group';

runGroup('policies');
