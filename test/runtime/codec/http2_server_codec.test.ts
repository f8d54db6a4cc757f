// The HTTP/2 server codec against the server codec contract.
import { serverCodecContract } from './server_codec_contract.js';
import { h2ServerAdapter } from './h2_adapters.js';

serverCodecContract(h2ServerAdapter);
