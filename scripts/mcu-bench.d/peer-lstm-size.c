/* Links arm_lstm_unidirectional_s8 alone, for the flash its code takes (scripts/mcu-bench sums
 * the sizes of the CMSIS-NN functions this program pulls from the library). Never run. */
#include "arm_nnfunctions.h"

arm_cmsis_nn_status (*volatile lstm_entry)(const int8_t *, int8_t *, const cmsis_nn_lstm_params *,
                                           cmsis_nn_lstm_context *) = arm_lstm_unidirectional_s8;

int main(void) { return lstm_entry != 0; }
