// The HTTP/1.1 client codec against the client codec contract.
import { clientCodecContract } from './client_codec_contract.js';
import { h1ClientAdapter } from './client_h1_adapter.js';

clientCodecContract(h1ClientAdapter);
