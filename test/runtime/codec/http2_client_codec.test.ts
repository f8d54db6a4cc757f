// The HTTP/2 client codec against the client codec contract.
import { clientCodecContract } from './client_codec_contract.js';
import { h2ClientAdapter } from './h2_adapters.js';

clientCodecContract(h2ClientAdapter);
