/**
 * Array file formats shared with the Python world: NumPy's {@code .npy} and Hugging Face's
 * safetensors. Depends on nothing else in saestream.
 */
package dev.saestream.formats;
