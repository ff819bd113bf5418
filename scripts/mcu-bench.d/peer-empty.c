/* Empty functions with the signatures of the CMSIS-NN kernels peer-cmsis-nn.c times (see empty.c). */
#include "arm_nnfunctions.h"

arm_cmsis_nn_status empty_lstm(const int8_t *input, int8_t *output, const cmsis_nn_lstm_params *params,
                               cmsis_nn_lstm_context *buffers) {
    (void)input;
    (void)output;
    (void)params;
    (void)buffers;
    return ARM_CMSIS_NN_SUCCESS;
}

arm_cmsis_nn_status empty_vec_mat(const int8_t *lhs, const int8_t *rhs, const int32_t *kernel_sum,
                                  const int32_t *bias, int8_t *dst, const int32_t lhs_offset,
                                  const int32_t dst_offset, const int32_t dst_multiplier, const int32_t dst_shift,
                                  const int32_t rhs_cols, const int32_t rhs_rows, const int32_t activation_min,
                                  const int32_t activation_max, const int32_t address_offset,
                                  const int32_t rhs_offset) {
    (void)lhs, (void)rhs, (void)kernel_sum, (void)bias, (void)dst, (void)lhs_offset, (void)dst_offset;
    (void)dst_multiplier, (void)dst_shift, (void)rhs_cols, (void)rhs_rows, (void)activation_min;
    (void)activation_max, (void)address_offset, (void)rhs_offset;
    return ARM_CMSIS_NN_SUCCESS;
}
