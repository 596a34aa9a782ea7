import { closeOnSignal, createLogger } from '@oa-archive/observability';
import { loadGatewayConfig } from './config.ts';
import { startGateway } from './gateway.ts';

const config = loadGatewayConfig();
const logger = createLogger({ service: 'gateway', level: config.LOG_LEVEL });
const gateway = await startGateway(config, logger);
closeOnSignal(logger, 'gateway', () => gateway.close());
